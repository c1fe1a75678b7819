"""Running a database's own client tools with bounded memory.

* ``run``: a short command (a catalog query); its output is small.
* ``stdout_chunks``: a dump tool's stdout as fixed-size chunks, to be
  streamed into the bank; the tool's exit status is checked after the last
  chunk.
* ``feed_stdin``: chunks (from the bank) written into a restore tool's
  stdin; then its exit status is checked.

Secrets (passwords) go to the tools through their environment, never on
their command line; any output quoted in an error has them masked.
"""

import contextlib
import os
import shutil
import subprocess
import threading
import zlib

CHUNK_SIZE = 1024 * 1024
# Enough of a tool's output to explain its failure, whatever it prints.
_HEAD_BYTES = 4096
_TAIL_BYTES = 8192
_TAIL_LINES = 10
# Environment variables the client libraries read: ours must be the only
# ones they see, so a worker's own environment cannot redirect a tool.
_CLIENT_ENV_PREFIXES = ('PG', 'MYSQL', 'MARIADB')


class ToolNotFound(Exception):
    def __init__(self, name, where):
        self.name = name
        super().__init__('%s is not installed (looked in %s)' % (name, where))


class ToolFailed(Exception):
    """A tool exited with a non-zero status (or could not run)."""

    def __init__(self, tool, returncode, output):
        self.tool = tool
        self.returncode = returncode
        self.lines = [line.strip() for line in output.splitlines()
                      if line.strip()]
        how = ('failed' if returncode is None
               else 'exited with status %s' % returncode)
        super().__init__('%s %s: %s' % (tool, how, self.last_lines()))

    def first_line(self):
        """The first thing the tool said: usually the cause."""
        return self.lines[0] if self.lines else (
            'exit status %s' % self.returncode)

    def last_lines(self):
        return ' | '.join(self.lines[-_TAIL_LINES:]) or (
            'no output (exit status %s)' % self.returncode)


def find_tool(names, bin_dir=''):
    """The path of the first of ``names`` found in ``bin_dir`` (or on the
    PATH when empty)."""
    for name in names:
        path = shutil.which(name, path=bin_dir or None)
        if path:
            return path
    raise ToolNotFound(names[0], bin_dir or 'the PATH')


def client_env(values):
    """The process environment without client settings, plus ``values``
    (None values are left out)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(_CLIENT_ENV_PREFIXES)}
    env.update({key: str(value) for key, value in values.items()
                if value is not None})
    return env


def _mask(text, secrets):
    for secret in secrets:
        if secret:
            text = text.replace(secret, '***')
    return text


class _OutputCollector(threading.Thread):
    """Drains a pipe (so the tool never blocks on it), keeping its start
    and its end only."""

    def __init__(self, pipe):
        super().__init__(daemon=True, name='karbor-tool-output')
        self._pipe = pipe
        self._head = bytearray()
        self._tail = bytearray()
        self._skipped = False

    def run(self):
        while chunk := self._pipe.read1(65536):
            room = _HEAD_BYTES - len(self._head)
            if room > 0:
                self._head += chunk[:room]
                chunk = chunk[room:]
            self._tail += chunk
            if len(self._tail) > _TAIL_BYTES:
                del self._tail[:len(self._tail) - _TAIL_BYTES]
                self._skipped = True
        self._pipe.close()

    def text(self, secrets):
        self.join()
        gap = b'\n[...]\n' if self._skipped else b''
        raw = bytes(self._head) + gap + bytes(self._tail)
        return _mask(raw.decode('utf-8', 'replace'), secrets)


def _start(argv, env, stdin, stdout, stderr):
    try:
        return subprocess.Popen(argv, env=env, stdin=stdin, stdout=stdout,
                                stderr=stderr, close_fds=True)
    except OSError as err:
        raise ToolFailed(os.path.basename(argv[0]), None,
                         'cannot run: %s' % err) from err


def _stop(process):
    if process.poll() is None:
        process.kill()
    process.wait()
    # The reader threads close the output pipes at their end of file.
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()


def run(argv, env, stdin_text=None, timeout=60, secrets=()):
    """Run a short command; its stdout as text. ToolFailed on failure."""
    tool = os.path.basename(argv[0])
    process = _start(argv, env, subprocess.PIPE, subprocess.PIPE,
                     subprocess.PIPE)
    try:
        out, err = process.communicate(
            (stdin_text or '').encode('utf-8'), timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise ToolFailed(tool, None,
                         'no answer within %d seconds' % timeout) from None
    finally:
        _stop(process)
    if process.returncode != 0:
        raise ToolFailed(tool, process.returncode,
                         _mask(err.decode('utf-8', 'replace'), secrets))
    return out.decode('utf-8', 'replace')


def stdout_chunks(argv, env, chunk_size=CHUNK_SIZE, secrets=()):
    """The tool's stdout in chunks of ``chunk_size`` bytes (the last may
    be shorter). Raises ToolFailed after the last chunk if it failed; the
    tool is killed if the consumer stops early."""
    tool = os.path.basename(argv[0])
    process = _start(argv, env, subprocess.DEVNULL, subprocess.PIPE,
                     subprocess.PIPE)
    errors = _OutputCollector(process.stderr)
    errors.start()
    try:
        while chunk := process.stdout.read(chunk_size):
            yield chunk
        returncode = process.wait()
    finally:
        _stop(process)
        process.stdout.close()
    if returncode != 0:
        raise ToolFailed(tool, returncode, errors.text(secrets))


def feed_stdin(argv, env, chunks, secrets=()):
    """Write every chunk of ``chunks`` into the tool's stdin, then wait for
    it. ``chunks`` is consumed to its end even if the tool stops reading
    (a checksum verified after the last chunk must run). An exception of
    ``chunks`` kills the tool and is raised; a failed tool is ToolFailed.
    Returns the tool's output (stdout and stderr)."""
    tool = os.path.basename(argv[0])
    process = _start(argv, env, subprocess.PIPE, subprocess.PIPE,
                     subprocess.STDOUT)
    output = _OutputCollector(process.stdout)
    output.start()
    reading = True
    try:
        for chunk in chunks:
            if not reading:
                continue
            try:
                process.stdin.write(chunk)
            except BrokenPipeError:
                # It stopped reading (it ended or failed): its status says
                # which, once the rest of the input was checked.
                reading = False
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        returncode = process.wait()
    except BaseException:
        _stop(process)
        raise
    finally:
        _stop(process)
    text = output.text(secrets)
    if returncode != 0:
        raise ToolFailed(tool, returncode, text)
    return text


class NotGzip(Exception):
    """A stream that should be gzip is not (and was read to its end)."""


def gzip_chunks(chunks, level=6):
    """``chunks`` compressed into a gzip stream, chunk by chunk."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    for chunk in chunks:
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()


def gunzip_chunks(chunks, max_chunk=CHUNK_SIZE):
    """The decompressed chunks of a gzip stream, none over ``max_chunk``.

    On bad gzip data the rest of ``chunks`` is still read, so that a
    checksum verified after the last chunk reports the corruption first;
    NotGzip otherwise.
    """
    decompressor = zlib.decompressobj(wbits=31)
    chunks = iter(chunks)
    try:
        for chunk in chunks:
            while chunk and not decompressor.eof:
                if out := decompressor.decompress(chunk, max_chunk):
                    yield out
                chunk = decompressor.unconsumed_tail
        if tail := decompressor.flush():
            yield tail
        if not decompressor.eof:
            raise zlib.error('the stream ends before its end marker')
    except zlib.error as err:
        for _rest in chunks:
            pass
        raise NotGzip('not a valid gzip stream: %s' % err) from None
