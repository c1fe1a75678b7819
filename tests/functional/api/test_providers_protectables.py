"""Providers (from providers.d) and protectables (answered over RPC)."""

import os
import urllib.parse

from oslo_config import cfg
import pytest

from tests.functional.api.test_directory_protection import (
    DIRECTORY_PROVIDER_ID,
)
from tests.functional.conftest import NOOP_PROVIDER_ID

CONF = cfg.CONF


def test_list_and_show_providers(api):
    providers = api.user.get('/providers', status=200).json['providers']
    ids = [p['id'] for p in providers]
    # The shipped providers, sorted by name.
    assert {NOOP_PROVIDER_ID, DIRECTORY_PROVIDER_ID} <= set(ids)
    names = [p['name'] for p in providers]
    assert names == sorted(names)
    directory = api.user.get('/providers/%s' % DIRECTORY_PROVIDER_ID,
                             status=200).json['provider']
    schemas = directory['extended_info_schema']
    assert set(schemas['options_schema']) == {'OS::Karbor::Directory'}
    assert 'target_path' in schemas['restore_schema'][
        'OS::Karbor::Directory']['properties']
    provider = api.user.get('/providers/%s' % NOOP_PROVIDER_ID,
                            status=200).json['provider']
    schema = provider['extended_info_schema']
    assert set(schema) == {'options_schema', 'restore_schema',
                           'saved_info_schema', 'verify_schema'}
    assert 'note' in \
        schema['options_schema']['OS::Karbor::Directory']['properties']


def test_provider_filters_and_errors(api):
    assert api.user.get('/providers?name=nobody').json['providers'] == []
    found = api.user.get('/providers?name=No-op+Provider').json['providers']
    assert len(found) == 1
    error = api.user.get('/providers/%s' % ('0' * 32), status=404).json
    assert error['itemNotFound']['error_code'] == 'provider_not_found'
    api.user.get('/providers?shape=round', status=400)


def test_providers_from_a_config_dir(api_factory, database, tmp_path):
    (tmp_path / 'a.conf').write_text(
        '[provider]\nname = Second\n'
        'id = 6a1f6f2c-6e6a-4c32-9c59-2a6f1e1b7a01\n'
        'plugin = noop\nbank = filesystem\n'
        '[filesystem_bank]\npath = $state_path/bank2\n')
    (tmp_path / 'b.conf').write_text(
        '[provider]\nname = Off\n'
        'id = 7a1f6f2c-6e6a-4c32-9c59-2a6f1e1b7a02\n'
        'plugin = noop\nbank = filesystem\nenabled = false\n')
    CONF.set_override('provider_config_dirs', [str(tmp_path)],
                      group='protection')
    try:
        api = api_factory()
        names = [p['name'] for p in
                 api.user.get('/providers').json['providers']]
        assert names == ['Second']
    finally:
        CONF.clear_override('provider_config_dirs', group='protection')


def test_protectable_types(api):
    types = api.user.get('/protectables', status=200).json
    assert types == {'protectable_type': [
        'OS::Karbor::Directory', 'OS::Karbor::MySQLDatabase',
        'OS::Karbor::PostgreSQLDatabase']}
    shown = api.user.get('/protectables/OS::Karbor::Directory',
                         status=200).json
    assert shown == {'protectable_type': {'name': 'OS::Karbor::Directory',
                                          'dependent_types': []}}
    error = api.user.get('/protectables/OS::Nova::Server', status=404).json
    assert error['itemNotFound']['error_code'] == \
        'protectable_type_not_found'


def test_protectable_instances(api, directory, data_root):
    path = '/protectables/OS::Karbor::Directory/instances'
    instances = api.user.get(path, status=200).json['instances']
    mine = [i for i in instances if i['id'] == directory[0]]
    assert mine == [{'id': directory[0], 'type': 'OS::Karbor::Directory',
                     'name': directory[1],
                     'extra_info': {
                         'path': os.path.join(os.path.realpath(data_root),
                                              directory[1]),
                         'root': os.path.realpath(data_root)},
                     'dependent_resources': []}]
    shown = api.user.get('%s/%s' % (path, directory[0]), status=200).json
    assert shown['instance'] == mine[0]
    error = api.user.get('%s/%s' % (path, 'no-such-id'), status=404).json
    assert error['itemNotFound']['error_code'] == \
        'protectable_instance_not_found'


def test_instance_pagination_and_filters(api, data_root):
    for name in ('page-a', 'page-b', 'page-c'):
        os.makedirs(os.path.join(data_root, name), exist_ok=True)
    path = '/protectables/OS::Karbor::Directory/instances'
    first = api.user.get(path + '?limit=2&sort=name:asc').json
    assert len(first['instances']) == 2
    href = urllib.parse.urlsplit(first['instances_links'][0]['href'])
    second = api.user.get(path + '?' + href.query).json
    names = [i['name'] for i in first['instances'] + second['instances']]
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    only = api.user.get(path + '?name=page-b').json['instances']
    assert [i['name'] for i in only] == ['page-b']


@pytest.mark.parametrize('parameters', [
    # What python-karborclient sends: the repr of a Python dict.
    "{'root': '%(root)s'}",
    '{"root": "%(root)s"}',
])
def test_instance_parameters_filter(api, directory, data_root, parameters):
    path = '/protectables/OS::Karbor::Directory/instances?parameters='
    query = urllib.parse.quote(parameters % {'root': data_root})
    instances = api.user.get(path + query, status=200).json['instances']
    assert directory[0] in [i['id'] for i in instances]
    nowhere = urllib.parse.quote(parameters % {'root': '/nonexistent'})
    assert api.user.get(path + nowhere).json['instances'] == []


@pytest.mark.parametrize('bad', ["__import__('os')", "{'a': 1}", '[1]',
                                 "{'a': 'b'} + 1"])
def test_instance_parameters_are_never_evaluated(api, bad):
    path = '/protectables/OS::Karbor::Directory/instances?parameters='
    error = api.user.get(path + urllib.parse.quote(bad), status=400).json
    assert error['badRequest']['error_code'] == 'invalid_query_parameter'


def test_no_worker_is_503_not_500(api_factory, database):
    CONF.set_override('topic', 'nobody-listens', group='protection')
    CONF.set_override('rpc_call_timeout', 1, group='protection')
    try:
        api = api_factory()
        error = api.user.get('/protectables', status=503).json
        assert error['serviceUnavailable']['error_code'] == \
            'protection_worker_unavailable'
    finally:
        CONF.clear_override('topic', group='protection')
        CONF.clear_override('rpc_call_timeout', group='protection')
