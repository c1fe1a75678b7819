"""Checkpoints and restores through the API, run by an in-process worker."""

import json
import os
import time

from oslo_config import cfg
import pytest

from karbor.protection import checkpoint_store
from karbor.protection import providers
from tests.functional.api.test_plans import create as create_plan
from tests.functional.conftest import NOOP_PROVIDER_ID
from tests.functional.conftest import count_rows

CONF = cfg.CONF
CHECKPOINTS = '/providers/%s/checkpoints' % NOOP_PROVIDER_ID
TERMINAL = ('available', 'error', 'deleted', 'error-deleting', 'success',
            'fail')


def wait_for(client, path, key, statuses=TERMINAL, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(path)
        if response.status_int == 404:
            return None
        item = response.json[key]
        if item['status'] in statuses:
            return item
        time.sleep(0.05)
    raise AssertionError('%s still %s after %ss' % (path, item['status'],
                                                    timeout))


def protect(client, plan_id, status=202, **extra):
    body = {'checkpoint': dict({'plan_id': plan_id}, **extra)}
    return client.post(CHECKPOINTS, body, status=status).json


def protected(client, plan_id, **extra):
    checkpoint = protect(client, plan_id, **extra)['checkpoint']
    return wait_for(client, '%s/%s' % (CHECKPOINTS, checkpoint['id']),
                    'checkpoint')


def bank():
    return providers.registry().get(NOOP_PROVIDER_ID).bank()


@pytest.fixture
def plan(api, directory):
    return create_plan(api.user, directory)['plan']


def slow_plan(api, directory, seconds=None, fail_with=None):
    options = {}
    if seconds is not None:
        options['delay_seconds'] = seconds
    if fail_with is not None:
        options['fail_with'] = fail_with
    return create_plan(api.user, directory,
                       parameters={'OS::Karbor::Directory': options})['plan']


def test_protect_show_list(api, plan):
    accepted = protect(api.user, plan['id'], **{'extra-info': {'k': 'v'}})
    checkpoint = accepted['checkpoint']
    assert checkpoint['status'] == 'protecting'
    assert checkpoint['protection_plan']['id'] == plan['id']
    assert checkpoint['protection_plan']['provider_id'] == NOOP_PROVIDER_ID
    done = wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint['id']),
                    'checkpoint')
    assert done['status'] == 'available'
    assert done['extra_info'] == {'k': 'v'}
    assert done['finished_at'] >= done['created_at']
    graph = json.loads(done['resource_graph'])
    assert list(graph[0].values())[0][:2] == [
        'OS::Karbor::Directory', plan['resources'][0]['id']]
    listed = api.user.get(CHECKPOINTS).json['checkpoints']
    assert [c['id'] for c in listed] == [checkpoint['id']]
    # The bank describes the checkpoint on its own.
    metadata = checkpoint_store.read_metadata(bank(), checkpoint['id'])
    assert metadata['status'] == 'available'
    assert metadata['plan']['id'] == plan['id']
    assert metadata['extra_info'] == {'k': 'v'}
    resource = plan['resources'][0]
    manifest = json.loads(bank().read_bytes(
        checkpoint_store.checkpoint_prefix(checkpoint['id']) +
        'resources/OS::Karbor::Directory/%s/manifest.json' % resource['id']))
    assert [o['key'] for o in manifest['objects']] == ['noop-marker.json']
    assert len(manifest['objects'][0]['sha256']) == 64


def test_checkpoint_list_filters_sort_and_pages(api, plan, directory):
    other = create_plan(api.user, directory, name='other')['plan']
    first = protected(api.user, plan['id'])
    second = protected(api.user, other['id'])
    third = protected(api.user, plan['id'])
    by_plan = api.user.get(CHECKPOINTS + '?plan_id=%s' % plan['id']).json
    assert [c['id'] for c in by_plan['checkpoints']] == [third['id'],
                                                          first['id']]
    page = api.user.get(CHECKPOINTS + '?limit=2&sort=created_at:asc').json
    assert [c['id'] for c in page['checkpoints']] == [first['id'],
                                                       second['id']]
    assert 'marker=%s' % second['id'] in page['checkpoints_links'][0]['href']
    rest = api.user.get(CHECKPOINTS + '?limit=2&sort=created_at:asc&marker='
                        + second['id']).json
    assert [c['id'] for c in rest['checkpoints']] == [third['id']]
    assert 'checkpoints_links' not in rest
    today = first['created_at'][:10]
    dated = api.user.get(CHECKPOINTS + '?start_date=%s&end_date=%s'
                         % (today, today)).json['checkpoints']
    assert len(dated) == 3
    assert api.user.get(CHECKPOINTS + '?end_date=2000-01-01').json[
        'checkpoints'] == []
    after = api.user.get(CHECKPOINTS + '?start_date=%s' % third[
        'created_at']).json['checkpoints']
    assert [c['id'] for c in after] == [third['id']]
    assert api.user.get(CHECKPOINTS + '?status=error').json[
        'checkpoints'] == []
    for query in ('start_date=yesterday', 'status=sleeping', 'plan=x',
                  'sort=name:asc'):
        api.user.get(CHECKPOINTS + '?' + query, status=400)


def test_projects_and_admins(api, plan, directory):
    mine = protected(api.user, plan['id'])
    theirs_plan = create_plan(api.other, directory)['plan']
    theirs = protected(api.other, theirs_plan['id'])
    assert [c['id'] for c in api.user.get(CHECKPOINTS).json[
        'checkpoints']] == [mine['id']]
    api.other.get('%s/%s' % (CHECKPOINTS, mine['id']), status=404)
    api.other.delete('%s/%s' % (CHECKPOINTS, mine['id']), status=404)
    protect(api.other, plan['id'], status=404)
    api.user.get(CHECKPOINTS + '?all_tenants=1', status=403)
    everything = api.admin.get(CHECKPOINTS + '?all_tenants=1').json
    assert {c['id'] for c in everything['checkpoints']} == {mine['id'],
                                                           theirs['id']}


def test_create_errors(api, plan):
    unknown = '00000000-0000-0000-0000-000000000000'
    error = protect(api.user, unknown, status=404)
    assert error['itemNotFound']['error_code'] == 'plan_not_found'
    api.user.post('/providers/%s/checkpoints' % unknown,
                  {'checkpoint': {'plan_id': plan['id']}}, status=404)
    error = api.user.post(CHECKPOINTS, {'checkpoint': {
        'plan_id': plan['id'], 'extra-info': {'a': 'b'},
        'extra_info': {'a': 'b'}}}, status=400).json
    assert 'not both' in error['badRequest']['message']
    api.user.post(CHECKPOINTS, {'checkpoint': {
        'plan_id': plan['id'], 'extra-info': {'k': None}}}, status=400)
    api.user.post(CHECKPOINTS, {'checkpoint': {}}, status=400)
    assert count_rows('checkpoints') == 0
    assert count_rows('operations') == 0


def test_provider_mismatch(api_factory, database, directory, tmp_path):
    (tmp_path / 'second.conf').write_text(
        '[provider]\nname = Second\n'
        'id = 6a1f6f2c-6e6a-4c32-9c59-2a6f1e1b7a01\n'
        'plugin = noop\nbank = filesystem\n'
        '[filesystem_bank]\npath = %s\n' % (tmp_path / 'bank2'))
    dirs = [str(tmp_path),
            os.path.dirname(providers.registry().get(NOOP_PROVIDER_ID).path)]
    CONF.set_override('provider_config_dirs', dirs, group='protection')
    try:
        api = api_factory()
        plan = create_plan(api.user, directory)['plan']
        error = api.user.post(
            '/providers/6a1f6f2c-6e6a-4c32-9c59-2a6f1e1b7a01/checkpoints',
            {'checkpoint': {'plan_id': plan['id']}}, status=400).json
        assert error['badRequest']['error_code'] == 'provider_mismatch'
    finally:
        CONF.clear_override('provider_config_dirs', group='protection')
        providers.reset()


def test_one_protect_per_plan_and_no_delete_while_protecting(api,
                                                             directory):
    plan = slow_plan(api, directory, seconds=1.5)
    checkpoint = protect(api.user, plan['id'])['checkpoint']
    error = protect(api.user, plan["id"], status=409)
    assert error['conflictingRequest']['error_code'] == 'protect_in_progress'
    error = api.user.delete('%s/%s' % (CHECKPOINTS, checkpoint['id']),
                            status=409).json
    assert error['conflictingRequest']['error_code'] == \
        'invalid_checkpoint_state'
    api.user.delete('/plans/%s' % plan['id'], status=409)
    done = wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint['id']),
                    'checkpoint')
    assert done['status'] == 'available'
    protected(api.user, plan['id'])   # the next protect is welcome


def test_failing_plugin_gives_error_with_reason(api, directory):
    plan = slow_plan(api, directory, fail_with='the disk is on fire')
    checkpoint = protected(api.user, plan['id'])
    assert checkpoint['status'] == 'error'
    assert 'the disk is on fire' in checkpoint['error_info']
    assert plan['resources'][0]['id'] in checkpoint['error_info']
    # An errored checkpoint can always be deleted.
    api.user.delete('%s/%s' % (CHECKPOINTS, checkpoint['id']), status=202)
    assert wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint['id']),
                    'checkpoint') is None
    assert list(bank().list_objects(
        checkpoint_store.checkpoint_prefix(checkpoint['id']))) == []


def test_delete(api, plan):
    checkpoint = protected(api.user, plan['id'])
    prefix = checkpoint_store.checkpoint_prefix(checkpoint['id'])
    assert bank().list_objects(prefix)
    accepted = api.user.delete('%s/%s' % (CHECKPOINTS, checkpoint['id']),
                               status=202).json['checkpoint']
    assert accepted['status'] == 'deleting'
    assert wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint['id']),
                    'checkpoint') is None
    assert bank().list_objects(prefix) == []
    deleted = api.user.get(CHECKPOINTS + '?status=deleted').json
    assert [c['id'] for c in deleted['checkpoints']] == [checkpoint['id']]
    api.user.delete('%s/%s' % (CHECKPOINTS, checkpoint['id']), status=404)


def test_reset_state(api, plan):
    checkpoint = protected(api.user, plan['id'])
    url = '%s/%s' % (CHECKPOINTS, checkpoint['id'])
    body = {'os-resetState': {'state': 'error'}}
    api.user.put(url, body, status=403)
    admin = api.client('admin:demo', 'demo')
    reset = admin.put(url, body, status=200).json
    assert reset['checkpoint']['status'] == 'error'
    admin.put(url, {'os-resetState': {'state': 'protecting'}}, status=400)
    reset = admin.put(url, {'os-resetState': {'state': 'available'}},
                      status=200).json
    assert reset['checkpoint']['status'] == 'available'


def test_restore(api, plan):
    checkpoint = protected(api.user, plan['id'])
    body = {'restore': {
        'provider_id': NOOP_PROVIDER_ID, 'checkpoint_id': checkpoint['id'],
        'restore_target': 'http://elsewhere', 'parameters': {},
        'restore_auth': {'type': 'password', 'username': 'u',
                         'password': 'hunter2'}}}
    accepted = api.user.post('/restores', body, status=202).json['restore']
    assert accepted['status'] == 'in_progress'
    assert 'hunter2' not in json.dumps(accepted)
    done = wait_for(api.user, '/restores/%s' % accepted['id'], 'restore')
    assert done['status'] == 'success'
    key = 'OS::Karbor::Directory#%s' % plan['resources'][0]['id']
    assert done['resources_status'] == {key: 'available'}
    listed = api.user.get('/restores').json['restores']
    assert [r['id'] for r in listed] == [accepted['id']]
    assert 'restore_auth' not in listed[0]
    assert 'hunter2' not in api.user.get('/restores').text
    api.other.get('/restores/%s' % accepted['id'], status=404)


def test_failed_restore_names_the_resource(api, plan):
    checkpoint = protected(api.user, plan['id'])
    body = {'restore': {
        'provider_id': NOOP_PROVIDER_ID, 'checkpoint_id': checkpoint['id'],
        'parameters': {'OS::Karbor::Directory': {'fail_with': 'no space'}}}}
    accepted = api.user.post('/restores', body, status=202).json['restore']
    done = wait_for(api.user, '/restores/%s' % accepted['id'], 'restore')
    assert done['status'] == 'fail'
    key = 'OS::Karbor::Directory#%s' % plan['resources'][0]['id']
    assert done['resources_status'] == {key: 'error'}
    assert 'no space' in done['resources_reason'][key]
    assert 'no space' in done['error_info']


def test_restore_errors(api, directory):
    plan = slow_plan(api, directory, seconds=1)
    checkpoint = protect(api.user, plan['id'])['checkpoint']
    body = {'restore': {'provider_id': NOOP_PROVIDER_ID,
                        'checkpoint_id': checkpoint['id']}}
    error = api.user.post('/restores', body, status=409).json
    assert error['conflictingRequest']['error_code'] == \
        'invalid_checkpoint_state'
    wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint['id']),
             'checkpoint')
    bad = dict(body['restore'], parameters={
        'OS::Karbor::Directory': {'colour': 'red'}})
    error = api.user.post('/restores', {'restore': bad}, status=400).json
    assert "'colour'" in error['badRequest']['message']
    missing = dict(body['restore'],
                   checkpoint_id='00000000-0000-0000-0000-000000000000')
    api.user.post('/restores', {'restore': missing}, status=404)
    api.user.post('/restores', {'restore': dict(
        body['restore'], restore_auth={'type': 'password'})}, status=400)
    api.user.get('/restores?status=done', status=400)
    assert count_rows('restores') == 0


def test_no_delete_while_a_restore_reads_the_checkpoint(api, plan):
    checkpoint = protected(api.user, plan['id'])
    body = {'restore': {
        'provider_id': NOOP_PROVIDER_ID, 'checkpoint_id': checkpoint['id'],
        'parameters': {'OS::Karbor::Directory': {'delay_seconds': 2}}}}
    restore = api.user.post('/restores', body, status=202).json['restore']
    url = '%s/%s' % (CHECKPOINTS, checkpoint['id'])
    error = api.user.delete(url, status=409).json['conflictingRequest']
    assert 'being restored' in error['message']
    # Refused means untouched: the checkpoint stays available.
    assert api.user.get(url).json['checkpoint']['status'] == 'available'
    done = wait_for(api.user, '/restores/%s' % restore['id'], 'restore')
    assert done['status'] == 'success'
    api.user.delete(url, status=202)
    # Deleted checkpoints are not found any more.
    assert wait_for(api.user, url, 'checkpoint') is None
