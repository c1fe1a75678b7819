"""The plugins' shared data path: progress, parallel transfers, checks."""

import hashlib
import json
import threading
import time

import pytest

from karbor.common import exceptions
from karbor.protection import checkpoint_store
from karbor.protection import datapath
from karbor.protection.plugins import directory_tree
from tests.unit.test_filesystem_bank import make_bank


def test_progress_saves_at_most_once_per_interval_and_on_flush():
    saved = []
    progress = datapath.Progress(saved.append, interval=3600)
    progress.add_total(items=2, nbytes=10)
    assert len(saved) == 1          # the first change is saved at once
    progress.advance(items=1, nbytes=4)
    progress.advance(items=1, nbytes=6)
    assert len(saved) == 1          # then not before the interval
    progress.flush()
    assert saved[-1] == {'items_done': 2, 'items_total': 2,
                         'bytes_done': 10, 'bytes_total': 10}
    progress.flush()
    assert len(saved) == 2          # nothing changed: nothing written


def test_progress_is_exact_under_threads():
    progress = datapath.Progress(lambda snapshot: None, interval=0)
    threads = [threading.Thread(target=lambda: [
        progress.advance(items=1, nbytes=3) for _ in range(1000)])
        for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert progress.snapshot()['items_done'] == 8000
    assert progress.snapshot()['bytes_done'] == 24000


def test_run_parallel_bounds_concurrency_and_keeps_order():
    running, peak, lock = [0], [0], threading.Lock()

    def work(item):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return item * 2

    assert datapath.run_parallel(work, range(20), bound=3) == [
        i * 2 for i in range(20)]
    assert peak[0] == 3


def test_run_parallel_stops_starting_after_a_failure():
    started = []

    def work(item):
        started.append(item)
        if item == 2:
            raise ValueError('item 2 failed')
        time.sleep(0.01)

    with pytest.raises(ValueError, match='item 2 failed'):
        datapath.run_parallel(work, range(100), bound=2)
    assert len(started) < 10


@pytest.fixture
def section(tmp_path):
    bank = make_bank(tmp_path / 'bank', fsync=False)
    return checkpoint_store.BankSection(bank, 'checkpoints/c/resources/t/r/')


def write_manifest(section, objects):
    for key, data in objects.items():
        section.put_object(key, data)
    entries = [{'key': key, 'size': len(data),
                'sha256': hashlib.sha256(data).hexdigest()}
               for key, data in objects.items()]
    section.put_object(checkpoint_store.MANIFEST,
                       json.dumps({'objects': entries}).encode())


def corrupt(section, key, data):
    # Rewrite the bytes behind the bank's back, as a failing disk would.
    path = section.bank._locate(section.prefix + key)
    with open('%s/%s' % path, 'r+b') as stored:
        stored.write(data)


def test_verified_chunks_pass_good_data_and_name_bad_objects(section):
    write_manifest(section, {'a': b'x' * 100, 'b': b'hello'})
    manifest = datapath.read_manifest(section)
    assert b''.join(datapath.verified_chunks(
        section, 'a', manifest['objects']['a'])) == b'x' * 100
    corrupt(section, 'b', b'j')
    with pytest.raises(exceptions.BankObjectCorrupted,
                       match='checkpoints/c/resources/t/r/b is corrupted'):
        b''.join(datapath.verified_chunks(section, 'b',
                                          manifest['objects']['b']))


def test_verify_manifest_names_every_bad_object(section):
    write_manifest(section, {'a': b'aaa', 'b': b'bbb', 'c': b'ccc'})
    progress = datapath.Progress()
    datapath.verify_manifest(section, progress)
    assert progress.snapshot() == {'items_done': 3, 'items_total': 3,
                                   'bytes_done': 9, 'bytes_total': 9}
    corrupt(section, 'a', b'A')
    section.delete_object('c')
    with pytest.raises(exceptions.BankObjectCorrupted) as raised:
        datapath.verify_manifest(section)
    assert 'resources/t/r/a' in str(raised.value)
    assert 'resources/t/r/c' in str(raised.value)
    assert 'resources/t/r/b' not in str(raised.value)


def test_a_missing_manifest_is_a_clear_error(section):
    with pytest.raises(exceptions.PluginError,
                       match='not completely protected'):
        datapath.read_manifest(section)


@pytest.mark.parametrize('path', ['/etc/passwd', '../escape', 'a/../../b',
                                  'a//b', './a'])
def test_an_index_cannot_write_outside_the_target(path):
    with pytest.raises(exceptions.PluginError, match='unsafe path'):
        directory_tree.entry_from_dict(
            {'path': path, 'kind': 'file', 'mode': 0o644, 'mtime_ns': 0})


def test_small_files_are_packed_and_large_ones_kept_whole():
    entries = [directory_tree.Entry('f%d' % n, 'file', 0o644, 0, size=size)
               for n, size in enumerate([10, 5000, 20, 30, 9000, 40])]
    objects = directory_tree.plan_objects(entries, pack_threshold=1000,
                                          pack_size=50)
    assert [(key, [e.path for e in members]) for key, members in objects] \
        == [('files/000000', ['f4']), ('files/000001', ['f1']),
            ('packs/000002', ['f0', 'f2']), ('packs/000003', ['f3']),
            ('packs/000004', ['f5'])]
    assert all(e.object for e in entries)


def test_chunk_reader_splits_a_stream_at_file_boundaries():
    reader = directory_tree.ChunkReader([b'abc', b'defg', b'', b'hi'])
    pieces = []
    assert reader.copy(2, pieces.append)
    assert reader.copy(4, pieces.append)
    assert b''.join(pieces) == b'abcdef'
    assert not reader.drain()           # 'ghi' was left over
    assert not directory_tree.ChunkReader([b'ab']).copy(3, pieces.append)


class _CheckedStream(list):
    """Chunks from a bank that checks them itself (as the S3 bank does)."""

    def __init__(self, chunks, recorded):
        super().__init__(chunks)
        self.recorded = recorded


class _CheckingSection:
    prefix = 'p/'

    def __init__(self, stream):
        self.stream = stream

    def get_object(self, key):
        return self.stream


def test_a_bank_record_that_differs_from_the_manifest_is_refused_at_once():
    expected = {'sha256': hashlib.sha256(b'new').hexdigest(), 'size': 3}
    same = _CheckingSection(_CheckedStream([b'new'], (expected['sha256'],
                                                      3)))
    assert b''.join(datapath.verified_chunks(same, 'k', expected)) == b'new'
    other = _CheckingSection(_CheckedStream([b'old'], ('0' * 64, 3)))
    with pytest.raises(exceptions.BankObjectCorrupted,
                       match='p/k is corrupted: the bank holds 3 bytes'):
        next(datapath.verified_chunks(other, 'k', expected))


def test_a_failing_save_does_not_fail_the_transfer():
    attempts = []

    def save(snapshot):
        attempts.append(snapshot)
        if len(attempts) == 1:
            raise RuntimeError('database gone for a moment')

    progress = datapath.Progress(save, interval=0)
    progress.add_total(items=1, nbytes=5)       # its save fails
    progress.advance(items=1, nbytes=5)         # this one is saved
    assert attempts[-1]['bytes_done'] == 5
    assert len(attempts) == 2
