"""A worker SIGKILLed in the middle of a copy: another one finishes it.

Two karbor-protection processes and karbor-api over RabbitMQ on a real
database, as in test_worker_crash; the copy is slowed down by the no-op
plugin's copy delay so that the worker running it can be killed mid-way.
"""

import json
import os

import pytest
import sqlalchemy as sa

from karbor.protection import checkpoint_store
from karbor.protection import plugin_api
from karbor.protection import providers
from tests import services
from tests.functional import deployment
from tests.functional.test_worker_crash import kill_owner
from tests.functional.test_worker_crash import restart
from tests.functional.test_worker_crash import wait_until

LEASE = 4
PROVIDER_ID = '8e1d2c3b-4a5f-4e6d-9c8b-7a6f5e4d3c2b'
CHECKPOINTS = '/providers/%s/checkpoints' % PROVIDER_ID
DIRECTORY_TYPE = 'OS::Karbor::Directory'


def _provider_dir(workdir):
    extra = os.path.join(workdir, 'providers.d')
    os.makedirs(extra)
    with open(os.path.join(extra, 'copies.conf'), 'w') as f:
        f.write('[provider]\nname = Copies\nid = %s\nplugin = noop\n'
                'bank = filesystem\ncopy_destinations = dr\n'
                '[filesystem_bank]\npath = %s/main\n'
                '[destination:dr]\nbank = filesystem\n'
                '[destination:dr:filesystem_bank]\npath = %s/dr\n'
                % (PROVIDER_ID, workdir, workdir))
    return ','.join(providers.default_config_dirs() + [extra])


@pytest.fixture(scope='module', params=['postgresql', 'mysql'])
def stack(request, tmp_path_factory):
    services.require('RabbitMQ', '127.0.0.1', 5672)
    db = services.Database(request.param)
    workdir = str(tmp_path_factory.mktemp('copy-crash-%s' % request.param))
    deploy = deployment.Deployment(
        workdir, db.url, lease_seconds=LEASE, recovery_interval=1,
        protection__provider_config_dirs=_provider_dir(workdir))
    deploy.engine = sa.create_engine(db.url, poolclass=sa.pool.NullPool)
    try:
        deploy.run('karbor-manage', 'db', 'sync')
        deploy.start('karbor-protection', 'worker-a', host='worker-a')
        deploy.start('karbor-protection', 'worker-b', host='worker-b')
        deploy.start('karbor-api')
        deploy.wait_for_api()
        yield deploy
    finally:
        deploy.stop_all()
        deploy.engine.dispose()
        db.drop()


def _available_checkpoint(stack):
    body = wait_until(lambda: (lambda r: r[1] if r[0] == 200 else None)(
        stack.request('GET', '/protectables/%s/instances' % DIRECTORY_TYPE)),
        30)
    instance = body['instances'][0]
    status, body = stack.request('POST', '/plans', {'plan': {
        'name': 'copied', 'provider_id': PROVIDER_ID,
        'resources': [{'id': instance['id'], 'name': 'vol1',
                       'type': DIRECTORY_TYPE}]}})
    assert status == 201, body
    plan = body['plan']
    status, body = stack.request('POST', CHECKPOINTS,
                                 {'checkpoint': {'plan_id': plan['id']}})
    assert status == 202, body
    checkpoint_id = body['checkpoint']['id']
    wait_until(lambda: stack.request('GET', '%s/%s' % (
        CHECKPOINTS, checkpoint_id))[1]['checkpoint']['status'] ==
        'available', 30)
    return plan, checkpoint_id


def test_sigkill_during_a_copy(stack):
    plan, source_id = _available_checkpoint(stack)
    resource_id = plan['resources'][0]['id']
    status, body = stack.request('POST', CHECKPOINTS + '/action', {'copy': {
        'plan_id': plan['id'],
        'parameters': {DIRECTORY_TYPE: {'delay_seconds': 3}}}})
    assert status == 202, body
    copy_id = body['copy']['id']
    [pair] = body['copy']['checkpoints']
    target_id = pair['copy_checkpoint_id']
    # Killed once the object is in the destination, during the delay.
    copied_marker = os.path.join(
        stack.workdir, 'dr', 'objects', checkpoint_store.resource_prefix(
            target_id, plugin_api.Resource(DIRECTORY_TYPE, resource_id, '',
                                           None)) + 'noop-marker.json')
    wait_until(lambda: os.path.exists(copied_marker), 20)
    killed = kill_owner(stack, target_id, 'copy')
    # The survivor resumes it once the lease has expired.
    copy = wait_until(lambda: (lambda c: c if c['status'] != 'in_progress'
                               else None)(stack.request(
                                   'GET', '/copies/%s' % copy_id)[1]['copy']),
                      LEASE + 30)
    assert copy['status'] == 'finished', copy
    assert copy['checkpoints'][0]['status'] == 'finished'
    restart(stack, killed)
    with open(os.path.join(stack.workdir, 'dr', 'objects',
                           checkpoint_store.checkpoint_prefix(target_id),
                           'metadata.json')) as f:
        metadata = json.load(f)
    assert metadata['status'] == 'available'
    assert metadata['copied_from'] == source_id
    with stack.engine.connect() as connection:
        left = connection.execute(sa.text(
            "SELECT count(*) FROM checkpoints WHERE status IN "
            "('copying', 'wait_copying')")).scalar_one()
        attempts = connection.execute(sa.text(
            "SELECT attempts, state FROM operations WHERE checkpoint_id = :c"
            " AND operation_type = 'copy'"), {'c': target_id}).one()
    assert left == 0
    assert tuple(attempts) == (2, 'done')
    status, body = stack.request('GET', '/operation_logs?copy_id=%s'
                                 % copy_id)
    [log] = body['operation_logs']
    assert (log['status'], log['extra_info']['source_checkpoint_id']) == (
        'success', source_id)
    # The worker that took it over did not copy the object again.
    assert log['extra_info']['skipped_objects:%s' % resource_id] == 1
