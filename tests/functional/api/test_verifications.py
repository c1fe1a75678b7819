"""Verifications through the API: the worker re-reads a checkpoint's bank
objects and checks their SHA-256, resource by resource."""

import os
import time
import urllib.parse

from oslo_utils import uuidutils
import pytest

from karbor import context as karbor_context
from karbor.db import operations as db_operations
from karbor.protection import checkpoint_store
from karbor.protection import plugin_api
from karbor.protection.flows import operations as flows
from karbor.protection.protectables import directory as directory_plugin
from tests.functional.api.test_checkpoints import CHECKPOINTS
from tests.functional.api.test_checkpoints import bank
from tests.functional.api.test_checkpoints import protect
from tests.functional.api.test_checkpoints import protected
from tests.functional.api.test_checkpoints import slow_plan
from tests.functional.api.test_checkpoints import wait_for
from tests.functional.api.test_plans import create as create_plan
from tests.functional.conftest import NOOP_PROVIDER_ID
from tests.functional.conftest import count_rows

DIRECTORY_TYPE = 'OS::Karbor::Directory'
MARKER = 'noop-marker.json'   # what the no-op plugin stores per resource


def start(client, checkpoint_id, status=202, **extra):
    body = {'verification': dict({'provider_id': NOOP_PROVIDER_ID,
                                  'checkpoint_id': checkpoint_id}, **extra)}
    return client.post('/verifications', body, status=status).json


def verified(client, checkpoint_id, **extra):
    accepted = start(client, checkpoint_id, **extra)['verification']
    return wait_for(client, '/verifications/%s' % accepted['id'],
                    'verification')


def resource_key(resource_id):
    return '%s#%s' % (DIRECTORY_TYPE, resource_id)


def marker_key(checkpoint_id, resource_id):
    resource = plugin_api.Resource(DIRECTORY_TYPE, resource_id, '', None)
    return checkpoint_store.resource_prefix(checkpoint_id, resource) + MARKER


def marker_path(checkpoint_id, resource_id):
    return os.path.join(bank().path, 'objects',
                        marker_key(checkpoint_id, resource_id))


def flip_a_byte(path):
    """Bit rot: the content changes, the file's identity does not."""
    before = os.stat(path)
    with open(path, 'r+b') as f:
        first = f.read(1)
        f.seek(0)
        f.write(bytes([first[0] ^ 0x01]))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.fixture
def checkpoint(api, directory):
    plan = create_plan(api.user, directory)['plan']
    return protected(api.user, plan['id']), directory[0]


def test_an_intact_checkpoint_verifies(any_api, directory):
    api = any_api    # on SQLite, MariaDB and PostgreSQL
    plan = create_plan(api.user, directory)['plan']
    checkpoint, resource_id = protected(api.user, plan['id']), directory[0]
    accepted = start(api.user, checkpoint['id'])['verification']
    assert accepted['status'] == 'in_progress'
    assert accepted['parameters'] == {}
    assert accepted['checkpoint_id'] == checkpoint['id']
    done = wait_for(api.user, '/verifications/%s' % accepted['id'],
                    'verification')
    assert done['status'] == 'success'
    assert done['resources_status'] == {resource_key(resource_id):
                                        'available'}
    assert done['resources_reason'] == {}
    assert done['error_info'] is None
    assert done['finished_at'].endswith('Z')
    # Every object of the manifest was read back.
    progress = done['progress']
    assert progress['items_done'] == progress['items_total'] == 1
    assert progress['bytes_done'] == progress['bytes_total'] > 0
    # Verifying does not change the checkpoint.
    shown = api.user.get('%s/%s' % (CHECKPOINTS, checkpoint['id'])).json
    assert shown['checkpoint']['status'] == 'available'

    (log,) = api.user.get('/operation_logs?verification_id=%s'
                          % done['id']).json['operation_logs']
    assert (log['operation_type'], log['status']) == ('verify', 'verified')
    assert log['checkpoint_id'] == checkpoint['id']
    assert [item['id'] for item in api.user.get(
        '/operation_logs?operation_type=verify').json['operation_logs']] == [
        log['id']]
    assert log['ended_at'] is not None
    (task,) = api.user.get('/verifications/%s/tasks'
                           % done['id']).json['tasks']
    assert task['task'] == 'verification-create'
    assert task['resource'] == {'verification': done['id']}
    assert task['state'] == 'succeeded'


def test_a_flipped_byte_fails_naming_the_object(api, checkpoint):
    checkpoint, resource_id = checkpoint
    flip_a_byte(marker_path(checkpoint['id'], resource_id))
    done = verified(api.user, checkpoint['id'])
    assert done['status'] == 'fail'
    key = resource_key(resource_id)
    assert done['resources_status'] == {key: 'error'}
    reason = done['resources_reason'][key]
    assert marker_key(checkpoint['id'], resource_id) in reason
    assert 'content has changed' in reason
    assert reason in done['error_info']
    (log,) = api.user.get('/operation_logs?verification_id=%s'
                          % done['id']).json['operation_logs']
    assert log['status'] == 'error-verifying'
    assert marker_key(checkpoint['id'], resource_id) in log['error_info']
    failed = api.user.get('/operation_logs?status=error-verifying').json
    assert [item['id'] for item in failed['operation_logs']] == [log['id']]


def test_a_missing_object_fails_naming_it(api, checkpoint):
    checkpoint, resource_id = checkpoint
    bank().delete_object(marker_key(checkpoint['id'], resource_id))
    done = verified(api.user, checkpoint['id'])
    assert done['status'] == 'fail'
    reason = done['resources_reason'][resource_key(resource_id)]
    assert marker_key(checkpoint['id'], resource_id) in reason
    assert 'missing' in reason


def test_a_checkpoint_gone_from_the_bank_fails(api, checkpoint):
    checkpoint, _resource_id = checkpoint
    bank().delete_object(checkpoint_store.checkpoint_prefix(checkpoint['id'])
                         + checkpoint_store.METADATA)
    done = verified(api.user, checkpoint['id'])
    assert done['status'] == 'fail'
    assert checkpoint_store.METADATA in done['error_info']


def test_every_resource_is_checked_when_one_fails(api, directory, data_root):
    path = os.path.join(data_root, 'vol-%d' % time.monotonic_ns())
    os.makedirs(path)
    other = directory_plugin.directory_id(path), os.path.basename(path)
    plan = api.user.post('/plans', {'plan': {
        'name': 'two', 'provider_id': NOOP_PROVIDER_ID,
        'resources': [{'id': r[0], 'type': DIRECTORY_TYPE, 'name': r[1]}
                      for r in (directory, other)]}}, status=201).json
    checkpoint = protected(api.user, plan['plan']['id'])
    bank().delete_object(marker_key(checkpoint['id'], directory[0]))
    done = verified(api.user, checkpoint['id'])
    assert done['status'] == 'fail'
    assert done['resources_status'] == {resource_key(directory[0]): 'error',
                                        resource_key(other[0]): 'available'}
    assert list(done['resources_reason']) == [resource_key(directory[0])]


def test_create_errors(api, directory):
    plan = slow_plan(api, directory, seconds=1)
    checkpoint = protect(api.user, plan['id'])['checkpoint']
    error = start(api.user, checkpoint['id'], status=409)
    assert error['conflictingRequest']['error_code'] == \
        'invalid_checkpoint_state'
    assert 'verify needs it to be available' in \
        error['conflictingRequest']['message']
    wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint['id']),
             'checkpoint')

    bad = start(api.user, checkpoint['id'], status=400, parameters={
        DIRECTORY_TYPE: {'colour': 'red'}})['badRequest']
    assert bad['error_code'] == 'invalid_parameters'
    assert 'parameters/%s' % DIRECTORY_TYPE in bad['message']
    assert "'colour'" in bad['message']
    bad = start(api.user, checkpoint['id'], status=400, parameters={
        'OS::Nova::Server': {}})['badRequest']
    assert 'OS::Nova::Server' in bad['message']
    bad = start(api.user, checkpoint['id'], status=400,
                restore_target='x')['badRequest']
    assert bad['error_code'] == 'invalid_input'
    api.user.post('/verifications', {'verification': {
        'provider_id': NOOP_PROVIDER_ID}}, status=400)

    gone = start(api.user, '00000000-0000-0000-0000-000000000000',
                 status=404)
    assert gone['itemNotFound']['error_code'] == 'checkpoint_not_found'
    body = {'verification': {
        'provider_id': '00000000-0000-0000-0000-000000000001',
        'checkpoint_id': checkpoint['id']}}
    gone = api.user.post('/verifications', body, status=404).json
    assert gone['itemNotFound']['error_code'] == 'provider_not_found'
    # Another project's checkpoint does not exist for this one.
    start(api.other, checkpoint['id'], status=404)

    api.user.get('/verifications/%s' % checkpoint['id'], status=404)
    assert count_rows('verifications') == 0


def test_list_filters_pages_and_projects(api, checkpoint):
    checkpoint, _resource_id = checkpoint
    made = [verified(api.user, checkpoint['id']) for _ in range(3)]
    ids = [v['id'] for v in made]

    def listed(query='', client=api.user, status=200):
        return client.get('/verifications' + ('?' + query if query else ''),
                          status=status).json

    everything = listed()['verifications']
    assert [v['id'] for v in everything] == ids[::-1]   # newest first
    assert all('parameters' in v for v in everything)
    assert [v['id'] for v in listed('sort=created_at:asc')[
        'verifications']] == ids
    assert [v['id'] for v in listed('sort_key=created_at&sort_dir=asc')[
        'verifications']] == ids
    for query in ('status=success', 'checkpoint_id=%s' % checkpoint['id'],
                  'provider_id=%s' % NOOP_PROVIDER_ID):
        assert len(listed(query)['verifications']) == 3, query
    assert listed('status=fail')['verifications'] == []
    assert listed('checkpoint_id=x')['verifications'] == []

    page = listed('limit=2&sort=created_at:asc')
    assert [v['id'] for v in page['verifications']] == ids[:2]
    href = urllib.parse.urlsplit(page['verifications_links'][0]['href'])
    assert href.path.endswith('/verifications')
    rest = listed(href.query)
    assert [v['id'] for v in rest['verifications']] == ids[2:]
    assert 'verifications_links' not in rest

    for query in ('status=done', 'colour=red', 'sort=parameters:asc',
                  'marker=00000000-0000-0000-0000-000000000000',
                  'limit=0'):
        error = listed(query, status=400)['badRequest']
        assert error['error_code'] in ('invalid_query_parameter',
                                       'invalid_marker'), query

    # Projects are isolated; administrators see them all.
    assert listed(client=api.other)['verifications'] == []
    api.other.get('/verifications/%s' % ids[0], status=404)
    listed('all_tenants=1', status=403)
    listed('project_id=other', status=403)
    every = listed('all_tenants=1', client=api.admin)['verifications']
    assert set(ids) <= {v['id'] for v in every}
    mine = listed('all_tenants=1&project_id=demo',
                  client=api.admin)['verifications']
    assert {v['project_id'] for v in mine} == {'demo'}


def test_a_verification_of_a_dead_worker_is_taken_over(api, checkpoint):
    checkpoint, resource_id = checkpoint
    demo = karbor_context.RequestContext(user_id='demo', project_id='demo')
    # Accepted, claimed by a worker that died at once, never sent.
    verification, operation = db_operations.accept_verify(demo, {
        'id': uuidutils.generate_uuid(), 'project_id': 'demo',
        'user_id': 'demo', 'provider_id': NOOP_PROVIDER_ID,
        'checkpoint_id': checkpoint['id'], 'parameters': {}})
    assert db_operations.claim(demo, operation.id, 'dead-host:1:x', 1)
    done = wait_for(api.user, '/verifications/%s' % verification.id,
                    'verification', timeout=20)
    assert done['status'] == 'success'
    assert done['resources_status'] == {resource_key(resource_id):
                                        'available'}


def test_a_flow_that_cannot_be_built_fails_cleanly(api, checkpoint,
                                                   monkeypatch):
    checkpoint, _resource_id = checkpoint

    def broken(runtime):
        raise RuntimeError('the plugin is not installed')

    monkeypatch.setitem(flows.BUILDERS, 'verify', broken)
    done = verified(api.user, checkpoint['id'])
    assert done['status'] == 'fail'
    assert done['error_info'].startswith('preparing the verify')
    (log,) = api.user.get('/operation_logs?verification_id=%s'
                          % done['id']).json['operation_logs']
    assert log['status'] == 'error-verifying'
