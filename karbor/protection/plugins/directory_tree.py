"""How a directory tree is laid out in a bank, and read back.

::

    index.json        every entry of the tree (directories, files, symlinks)
                      with mode, mtime and, for files, where their bytes are
                      and their SHA-256
    files/<n>         one large file's bytes
    packs/<n>         the bytes of many small files, one after the other

Small files are packed because one object per 4 KiB file would make the
bank's per-object cost (a commit, a checksum sidecar, an S3 request)
dominate; large files stay whole so they stream and transfer in parallel.
"""

import dataclasses
import fnmatch
import os
import stat

from karbor.common import exceptions

INDEX = 'index.json'
FORMAT_VERSION = 1
READ_SIZE = 1024 * 1024  # per read of a protected file: memory, not speed


@dataclasses.dataclass
class Entry:
    path: str              # relative, '/'-separated; '' is the root
    kind: str              # 'dir' | 'file' | 'symlink'
    mode: int
    mtime_ns: int
    size: int = 0
    target: str = None     # a symlink's target
    object: str = None     # the bank key holding a file's bytes
    offset: int = 0        # where they start in that object
    sha256: str = None

    def to_dict(self):
        return {k: v for k, v in dataclasses.asdict(self).items()
                if v is not None}


def entry_from_dict(document):
    entry = Entry(**document)
    check_relative_path(entry.path)
    if entry.kind not in ('dir', 'file', 'symlink'):
        raise exceptions.PluginError(
            'the checkpoint index holds an entry of unknown kind %r'
            % entry.kind)
    return entry


def check_relative_path(path):
    """Refuse index paths that would land outside the restore target."""
    parts = path.split('/') if path else []
    if path.startswith('/') or any(p in ('', '.', '..') for p in parts):
        raise exceptions.PluginError(
            'the checkpoint index holds an unsafe path %r' % path)
    return path


def scan(root, exclude=()):
    """Every entry below ``root`` (not following symlinks), parents first.

    Returns (entries, skipped): ``skipped`` lists what cannot be protected
    (sockets, devices, fifos) or was excluded.
    """
    entries, skipped = [], []
    info = os.lstat(root)
    entries.append(Entry('', 'dir', stat.S_IMODE(info.st_mode),
                         info.st_mtime_ns))
    pending = ['']
    while pending:
        relative = pending.pop()
        directory = os.path.join(root, relative) if relative else root
        with os.scandir(directory) as found:
            children = sorted(found, key=lambda e: e.name)
        for child in children:
            path = '%s/%s' % (relative, child.name) if relative \
                else child.name
            if any(fnmatch.fnmatch(path, pattern) for pattern in exclude):
                skipped.append(path)
                continue
            info = child.stat(follow_symlinks=False)
            mode = stat.S_IMODE(info.st_mode)
            if child.is_symlink():
                entries.append(Entry(path, 'symlink', mode, info.st_mtime_ns,
                                     target=os.readlink(child.path)))
            elif child.is_dir(follow_symlinks=False):
                entries.append(Entry(path, 'dir', mode, info.st_mtime_ns))
                pending.append(path)
            elif child.is_file(follow_symlinks=False):
                entries.append(Entry(path, 'file', mode, info.st_mtime_ns,
                                     size=info.st_size))
            else:
                skipped.append(path)
    return entries, skipped


def plan_objects(files, pack_threshold, pack_size):
    """Assign files to bank objects: [(key, [entries])], largest first so
    the long transfers start early."""
    objects, pack, pack_bytes = [], [], 0
    large = sorted((f for f in files if f.size >= pack_threshold),
                   key=lambda f: -f.size)
    for number, entry in enumerate(large):
        objects.append(('files/%06d' % number, [entry]))
    for entry in (f for f in files if f.size < pack_threshold):
        if pack and pack_bytes + entry.size > pack_size:
            objects.append(('packs/%06d' % len(objects), pack))
            pack, pack_bytes = [], 0
        pack.append(entry)
        pack_bytes += entry.size
    if pack:
        objects.append(('packs/%06d' % len(objects), pack))
    for key, members in objects:
        for entry in members:
            entry.object = key
    return objects


class ChunkReader:
    """Reads exact byte counts out of an iterator of chunks."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buffer = memoryview(b'')

    def copy(self, size, write):
        """Pass the next ``size`` bytes to ``write``; False if short."""
        while size:
            if not self._buffer:
                try:
                    self._buffer = memoryview(next(self._chunks))
                except StopIteration:
                    return False
            piece = self._buffer[:size]
            write(piece)
            self._buffer = self._buffer[len(piece):]
            size -= len(piece)
        return True

    def drain(self):
        """Read to the end (the checksum of a verified stream is checked
        after its last chunk); True if nothing was left over."""
        leftover = len(self._buffer)
        for chunk in self._chunks:
            leftover += len(chunk)
        return leftover == 0
