"""ManifestCopy's data path: what is already copied is skipped, transient
bank errors are retried, corrupted sources are never copied."""

import pytest

from karbor.common import exceptions
from karbor.protection import checkpoint_store
from karbor.protection import datapath
from karbor.protection import manifest_copy
from karbor.protection import plugin_api
from tests.unit.test_filesystem_bank import make_bank

RESOURCE = plugin_api.Resource('OS::Karbor::Directory', 'r1', 'r1', None)


def sections(tmp_path, objects):
    """A protected resource (``objects``: key -> bytes) in a source bank,
    and the empty section of its copy in a destination bank."""
    source_bank = make_bank(tmp_path / 'main')
    destination_bank = make_bank(tmp_path / 'dr')
    source = checkpoint_store.BankSection(
        source_bank, checkpoint_store.resource_prefix('src', RESOURCE))
    for key, data in objects.items():
        source.put_object(key, data)
    checkpoint_store.write_manifest(source_bank, 'src', RESOURCE)
    destination = checkpoint_store.BankSection(
        destination_bank, checkpoint_store.resource_prefix('copy', RESOURCE))
    return source, destination


class CountingSection:
    """A destination section that counts writes and can fail some."""

    def __init__(self, section, failures=()):
        self.section = section
        self.prefix = section.prefix
        self.writes = []
        self.failures = list(failures)   # exceptions raised by next puts

    def put_object(self, key, data, metadata=None):
        self.writes.append(key)
        if self.failures:
            failure = self.failures.pop(0)
            # The whole source is read, as a real failing upload would.
            for _chunk in data if not isinstance(data, bytes) else ():
                pass
            raise failure
        return self.section.put_object(key, data, metadata)

    def __getattr__(self, name):
        return getattr(self.section, name)


@pytest.fixture(autouse=True)
def no_retry_delay(monkeypatch):
    monkeypatch.setattr(manifest_copy, '_pause', lambda seconds: None)


def test_copies_every_object_then_the_manifest(tmp_path):
    source, destination = sections(tmp_path, {'a': b'x' * 10, 'b/c': b'yz'})
    counted = CountingSection(destination)
    progress = datapath.Progress()
    assert manifest_copy.copy_manifest(source, counted, progress) == {
        'copied': 2, 'skipped': 0}
    # Objects in parallel, the manifest last.
    assert sorted(counted.writes[:2]) == ['a', 'b/c']
    assert counted.writes[2:] == ['manifest.json']
    assert destination.read_bytes('b/c') == b'yz'
    assert progress.snapshot() == {'items_done': 2, 'items_total': 2,
                                   'bytes_done': 12, 'bytes_total': 12}
    # The copy reads back as a whole resource, by its own manifest.
    datapath.verify_manifest(destination)


def test_a_second_run_skips_what_is_there_with_the_right_sha256(tmp_path):
    source, destination = sections(tmp_path, {'a': b'1' * 100, 'b': b'2'})
    manifest_copy.copy_manifest(source, destination)
    destination.put_object('b', b'not b')     # a stale or torn object
    counted = CountingSection(destination)
    assert manifest_copy.copy_manifest(source, counted) == {
        'copied': 1, 'skipped': 1}
    assert counted.writes == ['b', 'manifest.json']
    assert destination.read_bytes('b') == b'2'


def test_transient_bank_errors_are_retried(tmp_path, monkeypatch):
    source, destination = sections(tmp_path, {'a': b'abc'})
    slept = []
    monkeypatch.setattr(manifest_copy, '_pause', slept.append)
    counted = CountingSection(destination, failures=[
        exceptions.BankError(reason='timeout'),
        exceptions.BankError(reason='reset')])
    manifest_copy.copy_manifest(source, counted)
    assert counted.writes == ['a', 'a', 'a', 'manifest.json']
    assert destination.read_bytes('a') == b'abc'
    assert slept == [0.5, 1.0]      # [protection] copy_retry_delay, doubled


def test_gives_up_after_copy_attempts(tmp_path):
    source, destination = sections(tmp_path, {'a': b'abc'})
    counted = CountingSection(destination, failures=[
        exceptions.BankError(reason='down %d' % n) for n in range(3)])
    with pytest.raises(exceptions.BankError, match='down 2'):
        manifest_copy.copy_manifest(source, counted)
    assert counted.writes == ['a', 'a', 'a']    # copy_attempts = 3
    with pytest.raises(exceptions.BankObjectNotFound):
        destination.get_object_info('manifest.json')


def test_a_corrupted_source_is_not_retried_nor_left_copied(tmp_path):
    source, destination = sections(tmp_path, {'a': b'abc', 'b': b'def'})
    source.put_object('a', b'abd')       # changed after its manifest
    counted = CountingSection(destination)
    with pytest.raises(exceptions.BankObjectCorrupted) as err:
        manifest_copy.copy_manifest(source, counted, bound=1)
    assert err.value.kwargs['key'] == source.prefix + 'a'
    assert counted.writes == ['a']
    with pytest.raises(exceptions.BankObjectNotFound):
        destination.get_object_info('a')


def test_a_missing_source_object_is_named(tmp_path):
    source, destination = sections(tmp_path, {'a': b'abc'})
    source.delete_object('a')
    with pytest.raises(exceptions.BankObjectCorrupted,
                       match='missing from the bank'):
        manifest_copy.copy_manifest(source, destination)


class LyingSection(CountingSection):
    """Its first write stores other bytes than it was given."""

    def put_object(self, key, data, metadata=None):
        self.writes.append(key)
        if len(self.writes) == 1:
            for _chunk in data:
                pass
            return self.section.put_object(key, b'other')
        return self.section.put_object(key, data, metadata)


def test_a_wrong_destination_write_is_retried(tmp_path):
    source, destination = sections(tmp_path, {'a': b'abc'})
    lying = LyingSection(destination)
    manifest_copy.copy_manifest(source, lying)
    assert lying.writes == ['a', 'a', 'manifest.json']
    assert destination.read_bytes('a') == b'abc'


def test_the_default_copy_operation_of_every_plugin_is_manifest_copy():
    class Plugin(plugin_api.ProtectionPlugin):
        get_protect_operation = get_restore_operation = \
            get_delete_operation = lambda self, r: None

        @classmethod
        def get_supported_resources_types(cls):
            return ['T']

    assert isinstance(Plugin().get_copy_operation(RESOURCE),
                      plugin_api.ManifestCopy)
