"""Protects directory trees (OS::Karbor::Directory) into any bank.

Protect walks the tree, streams large files whole and small files packed
(karbor.protection.plugins.directory_tree), several objects at a time, and
writes the tree's index last. Restore rebuilds the tree in a staging
directory beside the target, checking every object's SHA-256 and every
file's, and only then moves it into place: a failed restore leaves the
target as it was. Regular files, directories and symlinks are kept with
their permission bits and modification times; sockets, devices and fifos
are skipped (and counted in the operation log).
"""

import collections
import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil

from oslo_config import cfg

from karbor.common import constants
from karbor.common import exceptions
from karbor.protection import datapath
from karbor.protection import plugin_api
from karbor.protection.plugins import directory_tree as tree
from karbor.protection.protectables import directory as protectable

CONF = cfg.CONF

_OPEN_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
_OPEN_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | \
    os.O_CLOEXEC


def _source_path(context, resource):
    try:
        found = protectable.DirectoryProtectable().show_instance(
            context, resource.id)
    except exceptions.ProtectableInstanceNotFound:
        raise exceptions.PluginError(
            'directory %s (%s) no longer exists below the configured roots'
            % (resource.name, resource.id)) from None
    return found['extra_info']['path']


def _read_error(path, err):
    return exceptions.PluginError(
        'cannot read %s: %s' % (path, err.strerror or err),
        'reading %s failed: %r' % (path, err))


# -- protect ---------------------------------------------------------------

class _Protect(plugin_api.Operation):

    def on_main(self, checkpoint, resource, context, parameters,
                bank_section, record_extra_info, progress, **kwargs):
        source = _source_path(context, resource)
        options = CONF.directory_protection
        try:
            entries, skipped = tree.scan(source, parameters.get('exclude',
                                                                ()))
        except OSError as err:
            raise _read_error(source, err) from err
        files = [e for e in entries if e.kind == 'file']
        objects = tree.plan_objects(files, options.pack_threshold,
                                    options.pack_size)
        progress.add_total(items=len(files),
                           nbytes=sum(f.size for f in files))
        vanished = []
        datapath.run_parallel(
            lambda item: self._upload(source, bank_section, progress,
                                      vanished, *item), objects)
        gone = set(vanished)
        kept = [e for e in entries if e.path not in gone]
        index = {'format_version': tree.FORMAT_VERSION,
                 'source_path': source,
                 'entries': [e.to_dict() for e in kept]}
        bank_section.put_object(tree.INDEX, json.dumps(
            index, separators=(',', ':')).encode('utf-8'))
        record_extra_info({'directory:%s' % resource.id: {
            'files': len(files) - len(gone),
            'bytes': sum(f.size for f in files if f.path not in gone),
            'objects': len(objects),
            'skipped': len(skipped) + len(vanished)}})

    @staticmethod
    def _upload(source, section, progress, vanished, key, members):
        packed = key.startswith('packs/')

        def chunks():
            offset = 0
            for entry in members:
                path = os.path.join(source, entry.path)
                digest = hashlib.sha256() if packed else None
                size = 0
                try:
                    fd = os.open(path, _OPEN_READ)
                except FileNotFoundError:
                    vanished.append(entry.path)  # removed since the scan
                    continue
                except OSError as err:
                    raise _read_error(path, err) from err
                with open(fd, 'rb', buffering=0) as source_file:
                    while chunk := source_file.read(tree.READ_SIZE):
                        size += len(chunk)
                        if digest is not None:
                            digest.update(chunk)
                        progress.advance(nbytes=len(chunk))
                        yield chunk
                # What was read is what is restored, even if the file
                # changed size since the scan.
                entry.offset, entry.size = offset, size
                if digest is not None:
                    entry.sha256 = digest.hexdigest()
                offset += size
                progress.advance(items=1)

        info = section.put_object(key, chunks())
        if not packed:
            members[0].sha256 = info.sha256


# -- restore ---------------------------------------------------------------

def _restore_target(parameters, restore, source_path):
    wanted = (parameters.get('target_path') or (restore or {}).get('target')
              or source_path)
    # A relative target is a sibling of the protected directory.
    target = os.path.realpath(os.path.join(os.path.dirname(source_path),
                                           wanted))
    if not protectable.is_within_roots(target):
        raise exceptions.PluginError(
            'restore target %s is not below a configured root (%s)'
            % (wanted, ', '.join(protectable.configured_roots())))
    return target


def _syncfs(path):
    """Make everything written below ``path`` durable in one call."""
    libc_name = ctypes.util.find_library('c')
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        syncfs = getattr(ctypes.CDLL(libc_name), 'syncfs', None) \
            if libc_name else None
        if syncfs is None or syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


class _FileCopy:
    """Writes a restored file, hashing and counting what it writes."""

    def __init__(self, out, progress):
        self.out = out
        self.progress = progress
        self.digest = hashlib.sha256()

    def write(self, piece):
        self.digest.update(piece)
        self.out.write(piece)
        self.progress.advance(nbytes=len(piece))


class _Restore(plugin_api.Operation):

    def on_main(self, checkpoint, resource, context, parameters,
                bank_section, progress, restore=None, **kwargs):
        manifest = datapath.read_manifest(bank_section)
        index = self._read_index(bank_section, manifest)
        target = _restore_target(parameters, restore,
                                 index['source_path'])
        entries = [tree.entry_from_dict(e) for e in index['entries']]
        files = [e for e in entries if e.kind == 'file']
        progress.add_total(items=len(files),
                           nbytes=sum(f.size for f in files))
        parent = os.path.dirname(target)
        os.makedirs(parent, exist_ok=True)
        restore_id = (restore or {}).get('id') or checkpoint.id
        staging = os.path.join(parent, '.karbor-restore-%s' % restore_id)
        # A restore resumed after a crash starts its staging tree again.
        shutil.rmtree(staging, ignore_errors=True)
        try:
            self._build(staging, entries, files, bank_section, manifest,
                        progress)
            _syncfs(staging)
            self._swap(staging, target, bool(parameters.get('replace')),
                       restore_id)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    @staticmethod
    def _read_index(section, manifest):
        entry = manifest['objects'].get(tree.INDEX)
        if entry is None:
            raise exceptions.BankObjectCorrupted(
                key=section.prefix + tree.INDEX,
                reason='the manifest does not list it')
        document = json.loads(b''.join(
            datapath.verified_chunks(section, tree.INDEX, entry)))
        if document.get('format_version') != tree.FORMAT_VERSION:
            raise exceptions.PluginError(
                'the checkpoint was written in directory format %r, which '
                'this Karbor cannot read' % document.get('format_version'))
        return document

    def _build(self, staging, entries, files, section, manifest, progress):
        os.mkdir(staging, 0o700)
        for entry in entries:
            if entry.kind == 'dir' and entry.path:
                os.mkdir(os.path.join(staging, entry.path), 0o700)
        by_object = collections.defaultdict(list)
        for entry in files:
            by_object[entry.object].append(entry)
        datapath.run_parallel(
            lambda item: self._write_object(staging, section, manifest,
                                            progress, *item),
            sorted(by_object.items(), key=lambda i: -sum(
                e.size for e in i[1])))
        # Symlinks last, so that no file was written through one.
        for entry in entries:
            if entry.kind == 'symlink':
                path = os.path.join(staging, entry.path)
                os.symlink(entry.target, path)
                os.utime(path, ns=(entry.mtime_ns, entry.mtime_ns),
                         follow_symlinks=False)
        # Deepest first: setting a directory's mode or time must come after
        # everything inside it was created.
        for entry in sorted((e for e in entries if e.kind == 'dir'),
                            key=lambda e: -e.path.count('/') - bool(e.path)):
            path = os.path.join(staging, entry.path) if entry.path \
                else staging
            os.chmod(path, entry.mode)
            os.utime(path, ns=(entry.mtime_ns, entry.mtime_ns))

    @staticmethod
    def _write_object(staging, section, manifest, progress, key, members):
        expected = manifest['objects'].get(key)
        if expected is None:
            raise exceptions.BankObjectCorrupted(
                key=section.prefix + key,
                reason='the manifest does not list it')
        reader = tree.ChunkReader(datapath.verified_chunks(section, key,
                                                           expected))
        for entry in sorted(members, key=lambda e: e.offset):
            path = os.path.join(staging, entry.path)
            with open(os.open(path, _OPEN_NEW, 0o600), 'wb') as out:
                copied = _FileCopy(out, progress)
                if not reader.copy(entry.size, copied.write):
                    raise exceptions.BankObjectCorrupted(
                        key=section.prefix + key,
                        reason='it ends before file %s' % entry.path)
            if copied.digest.hexdigest() != entry.sha256:
                raise exceptions.BankObjectCorrupted(
                    key=section.prefix + key,
                    reason='file %s does not match its SHA-256'
                    % entry.path)
            os.chmod(path, entry.mode)
            os.utime(path, ns=(entry.mtime_ns, entry.mtime_ns))
            progress.advance(items=1)
        if not reader.drain():
            raise exceptions.BankObjectCorrupted(
                key=section.prefix + key,
                reason='it holds more bytes than its files')

    @staticmethod
    def _swap(staging, target, replace, restore_id):
        """Move the restored tree to ``target``; the previous content of
        ``target`` is replaced only when asked."""
        if os.path.lexists(target):
            if not os.path.isdir(target) or os.path.islink(target):
                raise exceptions.PluginError(
                    'restore target %s exists and is not a directory'
                    % target)
            if os.listdir(target) and not replace:
                raise exceptions.PluginError(
                    'restore target %s exists and is not empty: restore to '
                    'another target_path, or set replace to true to replace '
                    'its content' % target)
            aside = os.path.join(os.path.dirname(target),
                                 '.karbor-replaced-%s' % restore_id)
            shutil.rmtree(aside, ignore_errors=True)
            os.rename(target, aside)
            os.rename(staging, target)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.rename(staging, target)


# -- delete ----------------------------------------------------------------

class _Delete(plugin_api.Operation):

    def on_main(self, checkpoint, resource, context, parameters,
                bank_section, **kwargs):
        for key in list(bank_section.iter_keys()):
            with contextlib.suppress(exceptions.BankObjectNotFound):
                bank_section.delete_object(key)


class DirectoryProtectionPlugin(plugin_api.ProtectionPlugin):

    @classmethod
    def get_supported_resources_types(cls):
        return [constants.RESOURCE_TYPE_DIRECTORY]

    @classmethod
    def get_options_schema(cls, resource_type):
        return {
            'title': 'Directory protection options',
            'type': 'object',
            'properties': {
                'exclude': {
                    'title': 'Paths to leave out (shell patterns, relative '
                             'to the directory, e.g. "cache/*")',
                    'type': 'array', 'maxItems': 100,
                    'items': {'type': 'string', 'minLength': 1,
                              'maxLength': 255}},
            },
            'additionalProperties': False,
        }

    @classmethod
    def get_restore_schema(cls, resource_type):
        return {
            'title': 'Directory restore options',
            'type': 'object',
            'properties': {
                'target_path': {
                    'title': 'Where to restore (below a configured root; '
                             'a relative path is beside the original '
                             'directory); default: restore_target, else '
                             'the original directory',
                    'type': 'string', 'minLength': 1, 'maxLength': 4096},
                'replace': {
                    'title': 'Replace the content of a target that exists '
                             'and is not empty (default false: refuse)',
                    'type': 'boolean'},
            },
            'additionalProperties': False,
        }

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return {
            'title': 'What a directory checkpoint holds',
            'type': 'object',
            'properties': {
                'files': {'type': 'integer'},
                'bytes': {'type': 'integer'},
                'objects': {'type': 'integer'},
                'skipped': {'type': 'integer'},
            },
        }

    def get_protect_operation(self, resource):
        return _Protect()

    def get_restore_operation(self, resource):
        return _Restore()

    def get_delete_operation(self, resource):
        return _Delete()
