"""The file-system bank: round trips, atomicity, listing, errors."""

import errno
import hashlib
import io
import json
import os
import threading

from oslo_config import cfg
import pytest

from karbor.common import exceptions
from karbor.protection.banks import base
from karbor.protection.banks import filesystem

MiB = 1024 * 1024


def make_bank(path, fsync=True):
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[], use_env=False)
    conf.register_opts(filesystem.filesystem_bank_opts, 'filesystem_bank')
    conf.set_override('path', str(path), 'filesystem_bank')
    conf.set_override('fsync', fsync, 'filesystem_bank')
    return filesystem.FileSystemBank(conf)


@pytest.fixture
def bank(tmp_path):
    return make_bank(tmp_path / 'bank')


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, n), root)
                  for d, _dirs, names in os.walk(root) for n in names)


def dirs_under(root):
    return sorted(os.path.relpath(os.path.join(d, n), root)
                  for d, dirs, _names in os.walk(root) for n in dirs)


def test_options_and_layout(tmp_path):
    assert filesystem.list_opts() == {
        'filesystem_bank': filesystem.filesystem_bank_opts}
    bank = make_bank(tmp_path / 'new' / 'bank', fsync=False)
    assert os.path.isdir(tmp_path / 'new' / 'bank' / 'objects')
    assert bank.path == str(tmp_path / 'new' / 'bank')
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[], use_env=False)
    with pytest.raises(exceptions.BankError, match='path is required'):
        filesystem.FileSystemBank(conf)


@pytest.mark.parametrize('data', [
    b'hello bank',
    bytearray(b'mutable'),
    b'',
    iter([b'a', b'', b'bc', bytearray(b'd'), memoryview(b'ef')]),
    io.BytesIO(b'from a file object' * 1000),
], ids=['bytes', 'bytearray', 'empty', 'chunks', 'file'])
def test_round_trip(bank, data):
    expected = data.getvalue() if isinstance(data, io.BytesIO) else \
        b'abcdef' if not isinstance(data, (bytes, bytearray)) else bytes(data)
    info = bank.put_object('plans/p1/data', data)
    assert info == base.ObjectInfo('plans/p1/data', len(expected),
                                   hashlib.sha256(expected).hexdigest(), {})
    assert bank.read_bytes('plans/p1/data') == expected
    assert bank.get_object_info('plans/p1/data') == info


def test_large_object_streams_in_chunks(bank):
    def generate():  # 20 MiB, in odd-sized pieces
        for i in range(20):
            yield bytes([i]) * (MiB - 7)
            yield bytes([i]) * 7
    digest = hashlib.sha256()
    for chunk in generate():
        digest.update(chunk)
    info = bank.put_object('big', generate())
    assert (info.size, info.sha256) == (20 * MiB, digest.hexdigest())
    chunks = list(bank.get_object('big'))
    assert len(chunks) == 5 and max(map(len, chunks)) == base.CHUNK_SIZE
    read = hashlib.sha256()
    for chunk in bank.get_object('big', chunk_size=MiB):
        assert len(chunk) <= MiB
        read.update(chunk)
    assert read.hexdigest() == digest.hexdigest()


def test_get_object_is_lazy_but_checks_at_once(bank):
    with pytest.raises(exceptions.BankObjectNotFound):
        bank.get_object('nothing/here')
    with pytest.raises(ValueError):
        bank.get_object('x', chunk_size=0)


def test_overwrite_and_metadata(bank, tmp_path):
    bank.put_object('k', b'old', {'a': '1'})
    stream = bank.get_object('k', chunk_size=1)
    assert next(stream) == b'o'
    info = bank.put_object('k', b'newer', {'b': '2', 'c': 'x y'})
    assert ''.join(c.decode() for c in stream) == 'ld'  # old file kept open
    assert bank.read_bytes('k') == b'newer'
    assert bank.get_object_info('k') == info
    assert info.metadata == {'b': '2', 'c': 'x y'}
    assert files_under(tmp_path / 'bank' / 'objects') == ['k', 'k~info']
    with pytest.raises(exceptions.BankError, match='metadata'):
        bank.put_object('k', b'', {'n': 1})
    assert bank.read_bytes('k') == b'newer'


def test_missing_keys(bank):
    bank.put_object('a/b', b'x')
    for key in ('nope', 'a/nope', 'a', 'a/b/c', 'x/y/z'):
        with pytest.raises(exceptions.BankObjectNotFound):
            bank.get_object_info(key)
        with pytest.raises(exceptions.BankObjectNotFound):
            bank.get_object(key)


def test_listing(bank):
    keys = ['checkpoints/abc/x', 'checkpoints/abc/y/z', 'checkpoints/ab',
            'checkpoints/abd', 'checkpoints/b', 'checkpoints/ab-1',
            'checkpoints/ab.1', 'checkpoints/ab0', 'plans/1', 'top',
            'checkpoints/abc/X', 'checkpoints/abc/_', 'checkpoints/abc:1']
    for key in reversed(keys):
        bank.put_object(key, key.encode())
    assert bank.list_objects() == sorted(keys)
    assert bank.list_objects('checkpoints/ab') == sorted(
        k for k in keys if k.startswith('checkpoints/ab'))
    assert bank.list_objects('checkpoints/abc/') == [
        'checkpoints/abc/X', 'checkpoints/abc/_', 'checkpoints/abc/x',
        'checkpoints/abc/y/z']
    assert bank.list_objects('checkpoints/abc') == [
        'checkpoints/abc/X', 'checkpoints/abc/_', 'checkpoints/abc/x',
        'checkpoints/abc/y/z', 'checkpoints/abc:1']
    assert bank.list_objects('t') == ['top']
    assert bank.list_objects('top/') == []
    assert bank.list_objects('missing/dir/') == []
    assert bank.list_objects('../') == []
    assert bank.list_objects('a//b') == []
    # Pages of two, each starting after the last key of the previous.
    pages, marker = [], None
    while page := bank.list_objects('checkpoints/', marker, 2):
        assert len(page) <= 2
        pages.extend(page)
        marker = page[-1]
    assert pages == sorted(k for k in keys if k.startswith('checkpoints/'))
    assert bank.list_objects(marker='checkpoints/abc/x', limit=3) == [
        'checkpoints/abc/y/z', 'checkpoints/abc:1', 'checkpoints/abd']
    assert bank.list_objects(marker='checkpoints/abc') == sorted(
        k for k in keys if k > 'checkpoints/abc')
    assert bank.list_objects(marker='zzz') == []
    assert bank.list_objects(limit=0) == []


def test_listing_skips_temp_files_sidecars_and_symlinks(bank, tmp_path):
    bank.put_object('d/real', b'1')
    objects = tmp_path / 'bank' / 'objects'
    (objects / 'd' / '.tmp-0123~').write_bytes(b'partial')
    (objects / 'd' / 'no-info').write_bytes(b'torn')  # data, no sidecar
    (tmp_path / 'outside').write_bytes(b'secret')
    os.symlink(tmp_path / 'outside', objects / 'd' / 'link')
    os.symlink(tmp_path / 'outside', objects / 'd' / 'link~info')
    assert bank.list_objects() == ['d/real']
    with pytest.raises(exceptions.BankObjectNotFound):
        bank.get_object_info('d/no-info')
    with pytest.raises(exceptions.BankError):
        bank.get_object('d/link')


def test_symlinked_directory_cannot_escape(bank, tmp_path):
    outside = tmp_path / 'outside'
    outside.mkdir()
    (outside / 'x').write_bytes(b'secret')
    (outside / 'x~info').write_text('{}')
    os.symlink(outside, tmp_path / 'bank' / 'objects' / 'evil')
    for call in (lambda: bank.get_object('evil/x'),
                 lambda: bank.get_object_info('evil/x'),
                 lambda: bank.put_object('evil/y', b'1'),
                 lambda: bank.list_objects('evil/'),
                 lambda: bank.delete_object('evil/x')):
        with pytest.raises(exceptions.BankError, match='out of the bank'):
            call()
    assert sorted(os.listdir(outside)) == ['x', 'x~info']
    assert bank.list_objects() == []


def test_bank_behind_a_symlink_works(tmp_path):
    (tmp_path / 'real').mkdir()
    os.symlink(tmp_path / 'real', tmp_path / 'link')
    bank = make_bank(tmp_path / 'link')
    bank.put_object('a/b', b'1')
    assert bank.list_objects() == ['a/b']
    assert os.path.exists(tmp_path / 'real' / 'objects' / 'a' / 'b')


def test_delete_is_idempotent_and_prunes(bank, tmp_path):
    objects = tmp_path / 'bank' / 'objects'
    bank.put_object('checkpoints/c1/a/b/c', b'1')
    bank.put_object('checkpoints/c1/d', b'2')
    bank.put_object('checkpoints/c2/e', b'3')
    bank.delete_object('checkpoints/c1/a/b/c')
    assert dirs_under(objects) == ['checkpoints', 'checkpoints/c1',
                                   'checkpoints/c2']
    bank.delete_object('checkpoints/c1/d')
    bank.delete_object('checkpoints/c1/d')
    bank.delete_object('never/was/there')
    bank.delete_object('checkpoints/c2/e/deeper')
    assert dirs_under(objects) == ['checkpoints', 'checkpoints/c2']
    bank.delete_object('checkpoints/c2/e')
    assert dirs_under(objects) == [] and files_under(objects) == []
    with pytest.raises(exceptions.BankObjectNotFound):
        bank.get_object_info('checkpoints/c2/e')
    bank.put_object('checkpoints/c2/e', b'again')
    assert bank.read_bytes('checkpoints/c2/e') == b'again'


@pytest.mark.parametrize('key', [
    '../x', '/abs', 'a//b', '', 'a/./b', 'a/../b', '.', 'a\0b', 'a b', 'a/',
    'x~info', 'a\\b', None, b'bytes'])
def test_bad_keys_are_refused_before_the_disk(bank, tmp_path, key,
                                              monkeypatch):
    before = files_under(tmp_path)

    def no_disk(*args, **kwargs):
        raise AssertionError('touched the disk')
    for name in ('open', 'mkdir', 'stat', 'unlink', 'replace', 'scandir'):
        monkeypatch.setattr(filesystem.os, name, no_disk)
    for call in (lambda: bank.put_object(key, b'x'),
                 lambda: bank.get_object(key),
                 lambda: bank.get_object_info(key),
                 lambda: bank.delete_object(key)):
        with pytest.raises(exceptions.InvalidBankKey):
            call()
    monkeypatch.undo()
    assert files_under(tmp_path) == before


def test_failing_source_leaves_previous_version(bank, tmp_path):
    bank.put_object('d/k', b'previous', {'v': '1'})

    def broken():
        yield b'x' * MiB
        raise RuntimeError('source died')
    with pytest.raises(RuntimeError):
        bank.put_object('d/k', broken())
    with pytest.raises(TypeError):
        bank.put_object('d/k', ['text, not bytes'])
    with pytest.raises(exceptions.BankError):
        bank.put_object('d/k/under/a/file', b'x')
    assert bank.read_bytes('d/k') == b'previous'
    assert bank.get_object_info('d/k').metadata == {'v': '1'}
    assert files_under(tmp_path / 'bank' / 'objects') == ['d/k', 'd/k~info']


def test_read_only_directory(bank, tmp_path, monkeypatch):
    bank.put_object('d/k', b'previous')
    directory = tmp_path / 'bank' / 'objects' / 'd'
    if os.geteuid() == 0:  # root ignores modes: refuse like a r/o dir
        real_open, real_unlink = os.open, os.unlink

        def denied(path, *args, real=None):
            if os.path.dirname(path) == str(directory) and (
                    real is real_unlink or args[0] & os.O_CREAT):
                raise PermissionError(errno.EACCES, 'Permission denied')
            return real(path, *args)
        monkeypatch.setattr(filesystem.os, 'open',
                            lambda p, *a: denied(p, *a, real=real_open))
        monkeypatch.setattr(filesystem.os, 'unlink',
                            lambda p: denied(p, real=real_unlink))
    directory.chmod(0o555)
    try:
        with pytest.raises(exceptions.BankError, match="'d/k'.*denied"):
            bank.put_object('d/k', b'new')
        with pytest.raises(exceptions.BankError, match='delete'):
            bank.delete_object('d/k')
    finally:
        directory.chmod(0o755)
        monkeypatch.undo()
    assert bank.read_bytes('d/k') == b'previous'
    assert files_under(directory) == ['k', 'k~info']


def test_os_errors_become_bank_errors(bank, tmp_path, monkeypatch):
    bank.put_object('d/k', b'previous')

    def no_space(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(filesystem.os, 'replace', no_space)
    with pytest.raises(exceptions.BankError) as caught:
        bank.put_object('d/k', b'new')
    assert type(caught.value) is exceptions.BankError
    assert "'d/k'" in str(caught.value)
    assert 'No space left on device' in str(caught.value)
    monkeypatch.undo()
    assert bank.read_bytes('d/k') == b'previous'
    assert files_under(tmp_path / 'bank' / 'objects') == ['d/k', 'd/k~info']

    def io_error(*args):
        raise OSError(errno.EIO, os.strerror(errno.EIO))
    monkeypatch.setattr(filesystem.os, 'scandir', io_error)
    with pytest.raises(exceptions.BankError, match='Input/output error'):
        bank.list_objects('d/')


def test_torn_pair_reads_as_absent(bank, tmp_path, monkeypatch):
    """Data renamed, sidecar not (a crash between the two renames)."""
    monkeypatch.setattr(filesystem.time, 'sleep', lambda s: None)
    bank.put_object('k', b'old data')
    objects = tmp_path / 'bank' / 'objects'
    old_info = (objects / 'k~info').read_bytes()
    bank.put_object('k', b'new data')  # same size
    (objects / 'k~info').write_bytes(old_info)
    with pytest.raises(exceptions.BankObjectNotFound):
        bank.get_object_info('k')
    with pytest.raises(exceptions.BankObjectNotFound):
        bank.get_object('k')
    # The other tear: new sidecar, old data.
    bank.put_object('k', b'old data')
    data = (objects / 'k').read_bytes()
    bank.put_object('k', b'new data')
    os.unlink(objects / 'k')
    (objects / 'k').write_bytes(data)
    with pytest.raises(exceptions.BankObjectNotFound):
        bank.get_object_info('k')
    bank.put_object('k', b'fixed')
    assert bank.read_bytes('k') == b'fixed'


def test_copied_bank_still_reads(bank, tmp_path, monkeypatch):
    """A copy changes inodes; the SHA-256 then vouches for the pair."""
    monkeypatch.setattr(filesystem.time, 'sleep', lambda s: None)
    bank.put_object('k', b'content', {'m': 'v'})
    objects = tmp_path / 'bank' / 'objects'
    data = (objects / 'k').read_bytes()
    os.unlink(objects / 'k')
    (objects / 'k').write_bytes(data)
    assert bank.read_bytes('k') == b'content'
    assert bank.get_object_info('k').metadata == {'m': 'v'}
    (objects / 'k~info').write_text('not json')
    with pytest.raises(exceptions.BankError, match='info'):
        bank.get_object_info('k')


def test_temp_files_of_dead_writers_are_swept(bank, tmp_path):
    bank.put_object('d/k', b'1')
    directory = tmp_path / 'bank' / 'objects' / 'd'
    (directory / '.tmp-dead~').write_bytes(b'left by a crash')
    path, live, lock = bank._new_temp(str(directory))
    live.close()  # written, not yet renamed: the dup keeps the lock
    try:
        assert bank.cleanup_temp_files() == 1
        assert sorted(os.listdir(directory)) == [
            os.path.basename(path), 'k', 'k~info']
    finally:
        os.close(lock)
    assert bank.cleanup_temp_files() == 1
    (directory / '.tmp-dead2~').write_bytes(b'left by a crash')
    filesystem._CLEANED.clear()
    make_bank(tmp_path / 'bank')  # a restarted service sweeps
    assert sorted(os.listdir(directory)) == ['k', 'k~info']


def test_info_sidecar_format(bank, tmp_path):
    bank.put_object('k', b'abc', {'x': 'y'})
    info = json.loads((tmp_path / 'bank' / 'objects' / 'k~info').read_text())
    assert info['sha256'] == hashlib.sha256(b'abc').hexdigest()
    assert (info['size'], info['metadata']) == (3, {'x': 'y'})
    assert info['ino'] == os.stat(tmp_path / 'bank' / 'objects' / 'k').st_ino


def test_concurrent_writers_readers_and_deleters(bank):
    """Readers see whole versions whose info matches; writers and
    deleters sharing directories do not trip over the pruning."""
    versions = {bytes([i]) * (1000 + i): str(i) for i in range(8)}
    failures = []

    def write(i):
        for n, (data, tag) in enumerate(versions.items()):
            bank.put_object('shared/k', data, {'tag': tag})
            bank.put_object('c/%d/%d/obj' % (i, n), data)
            bank.delete_object('c/%d/%d/obj' % (i, n))

    def read():
        for _ in range(200):
            try:
                info = bank.get_object_info('shared/k')
                data = bank.read_bytes('shared/k')
            except exceptions.BankObjectNotFound:
                continue
            if data not in versions or \
                    info.sha256 != hashlib.sha256(
                        b''.join(v for v in versions
                                 if versions[v] == info.metadata['tag'])
                    ).hexdigest():
                failures.append((info, len(data)))

    def guard(target, *args):
        try:
            target(*args)
        except Exception as err:  # noqa: BLE001 - reported below
            failures.append(err)
    threads = [threading.Thread(target=guard, args=(write, i))
               for i in range(4)]
    threads += [threading.Thread(target=guard, args=(read,))
                for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert bank.list_objects() == ['shared/k']
    assert bank.read_bytes('shared/k') in versions
    info = bank.get_object_info('shared/k')
    assert info.sha256 == hashlib.sha256(bank.read_bytes('shared/k')
                                         ).hexdigest()
