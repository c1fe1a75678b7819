"""A bank in a directory of the local (or a shared) file system.

Layout, below the configured ``path``::

    objects/<key>              the object's bytes, a plain file
    objects/<key>~info         its info sidecar: JSON with size, sha256,
                               metadata and the identity (inode, mtime) of
                               the data file it describes
    objects/<dir>/.tmp-<hex>~  a write in progress (or left by a crash)

``~`` is not allowed in keys, so sidecars and temp files never collide with
an object and listings skip them.

A write streams into a temp data file (hashing on the fly), writes the
sidecar into a second temp file, then renames the data and then the sidecar
into place, under an flock of the directory so that concurrent writers of a
key cannot interleave their two renames. The sidecar's rename is the commit
point: a reader accepts a pair only if the data file is the one the sidecar
names (same inode, size and mtime; else, e.g. after the bank was copied,
same SHA-256), so a pair torn by a crash reads as absent, never as a mix.
Deleting removes the sidecar first for the same reason. Temp files are
flocked by their writer; the constructor removes the unlocked ones.
"""

from concurrent import futures
import contextlib
import errno
import fcntl
import hashlib
import json
import os
import stat
import time
import uuid

from oslo_config import cfg

from karbor.common import exceptions
from karbor.protection.banks import base

filesystem_bank_opts = [
    cfg.StrOpt('path', required=True,
               help='Directory that holds the bank objects (created if '
                    'missing).'),
    cfg.BoolOpt('fsync', default=True,
                help='fsync files and directories, so that an acknowledged '
                     'write survives a power loss.'),
]

INFO_SUFFIX = '~info'
TEMP_PREFIX = '.tmp-'
_OPEN = os.O_CLOEXEC | os.O_NOFOLLOW
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EISDIR)
_CLEANED = set()  # bank roots already swept of crash leftovers


def list_opts():
    return {FileSystemBank.SECTION: filesystem_bank_opts}


def _fail(action, key, err):
    return exceptions.BankError(
        reason='cannot %s %r: %s' % (action, key, err))


@contextlib.contextmanager
def _dir_fd(directory, lock=False):
    """A directory's fd; ``lock``: flocked, to serialise the two renames of
    writers (best effort where dirs cannot be flocked, as on some NFS)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        if lock:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def _stream(data, temp):
    """Write ``data`` to ``temp``; (sha256, size). A big chunk is hashed in
    a helper thread while it is written (both release the GIL): that nearly
    doubles the throughput on a fast disk."""
    digest, size = hashlib.sha256(), 0
    with futures.ThreadPoolExecutor(1) as pool:  # its thread starts lazily
        for chunk in _chunks(data):
            if len(chunk) < 1024 * 1024:
                digest.update(chunk)
                temp.write(chunk)
            else:
                hashed = pool.submit(digest.update, chunk)
                temp.write(chunk)
                hashed.result()
            size += len(chunk)
    return digest.hexdigest(), size


def _chunks(data):
    """Bytes chunks of bytes, a binary file object or an iterable."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data).cast('B')
        for start in range(0, len(view), base.CHUNK_SIZE):
            yield view[start:start + base.CHUNK_SIZE]
    elif hasattr(data, 'read'):
        while chunk := data.read(base.CHUNK_SIZE):
            yield chunk
    else:
        for chunk in data:
            yield memoryview(chunk).cast('B')  # TypeError if not bytes


class FileSystemBank(base.Bank):
    """Objects as files below ``path``."""

    SECTION = 'filesystem_bank'

    def __init__(self, config, section=None):
        super().__init__(config, section)
        config.register_opts(filesystem_bank_opts, group=self.SECTION)
        section = config[self.SECTION]
        if not section.path:
            raise exceptions.BankError(
                reason='option [%s] path is required' % self.SECTION)
        self.path = os.path.abspath(section.path)
        self._fsync = section.fsync
        try:
            os.makedirs(os.path.join(self.path, 'objects'), exist_ok=True)
            self._sync_dir(self.path)
            self._sync_dir(os.path.dirname(self.path))
        except OSError as err:
            raise _fail('create the bank', self.path, err) from err
        # Resolved once: the bank itself may live behind a symlink, but no
        # key may lead out of it.
        self._root = os.path.realpath(os.path.join(self.path, 'objects'))
        if self._root not in _CLEANED:
            self.cleanup_temp_files()
            _CLEANED.add(self._root)

    # -- paths --------------------------------------------------------------
    def _dir(self, segments, key):
        """The real directory of ``segments``, refused outside the root."""
        path = os.path.realpath(os.path.join(self._root, *segments))
        if path != self._root and not path.startswith(self._root + os.sep):
            raise exceptions.BankError(
                reason='key %r leads out of the bank' % key)
        return path

    def _locate(self, key):
        segments = base.check_key(key).split('/')
        return self._dir(segments[:-1], key), segments[-1]

    def _sync_dir(self, path):
        if self._fsync:
            with _dir_fd(path) as fd:
                os.fsync(fd)

    def _makedirs(self, key):
        """Create the key's parent dirs, fsync-ing where entries were
        added (a new dir is only durable once its parent is synced)."""
        path, created = self._root, []
        for segment in key.split('/')[:-1]:
            path = os.path.join(path, segment)
            with contextlib.suppress(FileExistsError):
                os.mkdir(path)
                created.append(os.path.dirname(path))
        self._dir(key.split('/')[:-1], key)  # recheck: no symlink escape
        for parent in created:
            self._sync_dir(parent)

    # -- writing ------------------------------------------------------------
    def _new_temp(self, directory):
        """(path, file to write, lock): ``lock`` is a dup of the file's fd
        and keeps its flock after the file is closed, until the renames are
        done; a sweep leaves locked temp files alone."""
        while True:
            path = os.path.join(directory, '%s%s~' % (TEMP_PREFIX,
                                                      uuid.uuid4().hex))
            temp = open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                                | _OPEN, 0o640), 'wb', base.CHUNK_SIZE)
            fcntl.flock(temp, fcntl.LOCK_EX)
            with contextlib.suppress(FileNotFoundError):
                # A sweep may have taken it between creation and the lock.
                if os.stat(path).st_ino == os.fstat(temp.fileno()).st_ino:
                    return path, temp, os.dup(temp.fileno())
            temp.close()

    def _finish(self, temp):
        temp.flush()
        if self._fsync:
            os.fsync(temp.fileno())
        temp.close()

    def put_object(self, key, data, metadata=None):
        directory, name = self._locate(key)
        metadata = dict(metadata or {})
        if not all(isinstance(k, str) and isinstance(v, str)
                   for k, v in metadata.items()):
            raise exceptions.BankError(
                reason='metadata of %r must map strings to strings' % key)
        temps, done = [], False
        try:
            for attempt in range(5):
                # A concurrent delete may prune the fresh dirs: redo them.
                try:
                    self._makedirs(key)
                    temps.append(self._new_temp(directory))
                    break
                except FileNotFoundError:
                    if attempt == 4:
                        raise
            data_path, temp, _lock = temps[0]
            sha256, size = _stream(data, temp)
            self._finish(temp)
            # Stat the temp path (ours alone) after close: NFS may bump the
            # mtime when the close flushes.
            st = os.stat(data_path)
            info = {'size': size, 'sha256': sha256, 'metadata': metadata,
                    'ino': st.st_ino, 'mtime_ns': st.st_mtime_ns}
            temps.append(self._new_temp(directory))
            info_path, temp, _lock = temps[1]
            temp.write(json.dumps(info, sort_keys=True).encode())
            self._finish(temp)
            target = os.path.join(directory, name)
            with _dir_fd(directory, lock=True):
                os.replace(data_path, target)
                os.replace(info_path, target + INFO_SUFFIX)
            done = True
            self._sync_dir(directory)
        except OSError as err:
            raise _fail('write', key, err) from err
        finally:
            for path, temp, lock in temps:
                with contextlib.suppress(OSError):
                    temp.close()  # may retry a flush that fails again
                os.close(lock)
                if not done:  # a failed write leaves no trace
                    with contextlib.suppress(OSError):
                        os.unlink(path)
        return base.ObjectInfo(key, size, sha256, metadata)

    # -- reading ------------------------------------------------------------
    def _open(self, key):
        """(data file, info) of a consistent pair, else BankObjectNotFound.
        Retries: a concurrent writer may be between its two renames."""
        directory, name = self._locate(key)
        path = os.path.join(directory, name)
        for attempt in range(4):
            data = None
            try:
                fd = os.open(path, os.O_RDONLY | _OPEN)
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):  # a directory, say
                    os.close(fd)
                    raise FileNotFoundError(errno.ENOENT, 'not a file')
                data = open(fd, 'rb', buffering=0)
                with open(os.open(path + INFO_SUFFIX, os.O_RDONLY | _OPEN),
                          'rb') as f:
                    info = json.load(f)
                if (info['ino'], info['size'], info['mtime_ns']) == \
                        (st.st_ino, st.st_size, st.st_mtime_ns):
                    return data, info
                if attempt == 3 and st.st_size == info['size'] and \
                        self._sha256(data) == info['sha256']:
                    data.seek(0)  # same bytes, another file (a copy)
                    return data, info
            except (OSError, ValueError, KeyError, TypeError) as err:
                if data:
                    data.close()
                if getattr(err, 'errno', None) in _MISSING:
                    raise exceptions.BankObjectNotFound(key=key) from None
                raise _fail('read' if isinstance(err, OSError) else
                            'parse the info of', key, err) from err
            data.close()
            time.sleep(0.01 * (attempt + 1))
        raise exceptions.BankObjectNotFound(key=key)

    @staticmethod
    def _sha256(data):
        digest = hashlib.sha256()
        while chunk := data.read(base.CHUNK_SIZE):
            digest.update(chunk)
        return digest.hexdigest()

    def get_object(self, key, chunk_size=base.CHUNK_SIZE):
        if chunk_size <= 0:
            raise ValueError('chunk_size must be positive')
        data, _info = self._open(key)  # raises now, not at the first next()

        def chunks():
            with data:
                try:
                    while chunk := data.read(chunk_size):
                        yield chunk
                except OSError as err:
                    raise _fail('read', key, err) from err
        return chunks()

    def get_object_info(self, key):
        data, info = self._open(key)
        data.close()
        return base.ObjectInfo(key, info['size'], info['sha256'],
                               info['metadata'])

    # -- listing ------------------------------------------------------------
    def list_objects(self, prefix='', marker=None, limit=None):
        if not isinstance(prefix, str):
            raise exceptions.InvalidBankKey(key=prefix)
        if limit is not None and limit <= 0:
            return []
        *dirs, partial = prefix.split('/')
        try:  # a prefix no key can have matches nothing
            start = self._dir(dirs and base.check_key('/'.join(dirs)).split(
                '/'), prefix)
        except exceptions.InvalidBankKey:
            return []
        keys = []
        try:
            for key in self._walk(start, ''.join(d + '/' for d in dirs),
                                  partial, marker):
                keys.append(key)
                if limit is not None and len(keys) >= limit:
                    break
        except OSError as err:
            raise _fail('list', prefix, err) from err
        return keys

    def _walk(self, directory, base_key, partial, marker):
        """Keys below ``directory`` in byte order: a directory sorts as its
        name plus '/', which is where its keys fall among its siblings."""
        try:
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError as err:
            if err.errno in _MISSING:
                return
            raise
        names = {e.name for e in entries}
        order = []
        for e in entries:
            if not e.name.startswith(partial) or e.is_symlink() or \
                    not base._SEGMENT.match(e.name):
                continue
            if e.is_dir(follow_symlinks=False):
                order.append((base_key + e.name + '/', True))
            elif e.name + INFO_SUFFIX in names:
                order.append((base_key + e.name, False))
        for key, is_dir in sorted(order):
            if not is_dir:
                if marker is None or key > marker:
                    yield key
            elif marker is None or key > marker or marker.startswith(key):
                # else every key of the subtree sorts before the marker
                yield from self._walk(os.path.join(directory, key[len(
                    base_key):-1]), key, '', marker)

    # -- deleting -----------------------------------------------------------
    def delete_object(self, key):
        directory, name = self._locate(key)
        path = os.path.join(directory, name)
        try:
            with _dir_fd(directory, lock=True):
                for victim in (path + INFO_SUFFIX, path):  # sidecar first
                    try:
                        os.unlink(victim)
                    except OSError as err:
                        if err.errno not in _MISSING:
                            raise
            self._sync_dir(directory)
        except OSError as err:
            if err.errno in _MISSING:
                return  # its directory is gone too: nothing to delete
            raise _fail('delete', key, err) from err
        # Prune empty parents; one a writer fills (or someone else removes)
        # meanwhile is not an error: just stop (or go on up).
        while directory != self._root:
            try:
                os.rmdir(directory)
            except FileNotFoundError:
                pass
            except OSError:
                break
            directory = os.path.dirname(directory)

    # -- maintenance ----------------------------------------------------------
    def cleanup_temp_files(self):
        """Remove temp files whose writer is gone (its flock is free)."""
        removed = 0
        for directory, _dirs, files in os.walk(self._root):
            for name in files:
                if name.startswith(TEMP_PREFIX) and name.endswith('~'):
                    path = os.path.join(directory, name)
                    with contextlib.suppress(OSError), open(os.open(
                            path, os.O_RDONLY | os.O_NONBLOCK | _OPEN)) as f:
                        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        os.unlink(path)  # not reached while its writer lives
                        removed += 1
        return removed
