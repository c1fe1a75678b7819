import os

from oslo_config import cfg
import pytest

from karbor.common import exceptions
from karbor.protection.protectables import directory

CONF = cfg.CONF


@pytest.fixture
def roots(tmp_path):
    first, second = tmp_path / 'r1', tmp_path / 'r2'
    (first / 'a').mkdir(parents=True)
    (first / 'b').mkdir()
    (first / 'file').write_text('not a directory')
    (second / 'c').mkdir(parents=True)
    os.symlink(first / 'a', second / 'link')
    CONF.set_override('roots', [str(first), str(second)],
                      group='directory_protectable')
    yield first, second
    CONF.clear_override('roots', group='directory_protectable')


def test_instances_are_subdirectories_with_stable_ids(roots):
    plugin = directory.DirectoryProtectable()
    names = [i['name'] for i in plugin.list_instances(None)]
    assert names == ['a', 'b', 'c']
    again = [i['id'] for i in directory.DirectoryProtectable()
             .list_instances(None)]
    assert again == [i['id'] for i in plugin.list_instances(None)]
    one = plugin.show_instance(None, again[0])
    assert one['extra_info']['path'] == str(roots[0] / 'a')


def test_unknown_ids_and_root_filter(roots):
    plugin = directory.DirectoryProtectable()
    with pytest.raises(exceptions.ProtectableInstanceNotFound):
        plugin.show_instance(None, 'nope')
    only_second = plugin.list_instances(None, {'root': str(roots[1])})
    assert [i['name'] for i in only_second] == ['c']


def test_within_roots(roots):
    assert directory.is_within_roots(str(roots[0] / 'a'))
    assert not directory.is_within_roots(str(roots[0]))
    assert not directory.is_within_roots(str(roots[0] / '..' / 'elsewhere'))
    assert not directory.is_within_roots('/etc')
