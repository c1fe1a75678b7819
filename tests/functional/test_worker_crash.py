"""A worker SIGKILLed in the middle of an operation: another one ends it.

Two karbor-protection processes and karbor-api over RabbitMQ, on
PostgreSQL and MariaDB. The protect (or delete) is slowed down by the no-op
plugin's delay so that the worker running it can be killed mid-way; the
other worker must take the operation over once the lease expired, and
bring it to its terminal state, with the bank consistent.
"""

import json
import os
import signal
import time

import pytest
import sqlalchemy as sa

from karbor.protection import checkpoint_store
from tests import services
from tests.functional import deployment
from tests.functional.conftest import NOOP_PROVIDER_ID

LEASE = 4
CHECKPOINTS = '/providers/%s/checkpoints' % NOOP_PROVIDER_ID


@pytest.fixture(scope='module', params=['postgresql', 'mysql'])
def stack(request, tmp_path_factory):
    services.require('RabbitMQ', '127.0.0.1', 5672)
    db = services.Database(request.param)
    workdir = str(tmp_path_factory.mktemp('crash-%s' % request.param))
    deploy = deployment.Deployment(workdir, db.url, lease_seconds=LEASE,
                                   recovery_interval=1)
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


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError('not reached within %ss' % timeout)


def owner_of(stack, checkpoint_id, operation_type):
    with stack.engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT owner FROM operations WHERE checkpoint_id = :c AND "
            "operation_type = :t AND state = 'running'"),
            {'c': checkpoint_id, 't': operation_type}).scalar()


def kill_owner(stack, checkpoint_id, operation_type):
    owner = wait_until(lambda: owner_of(stack, checkpoint_id,
                                        operation_type), 20)
    host, pid, _ = owner.split(':')
    os.kill(int(pid), signal.SIGKILL)
    name = host
    process, log = stack.processes.pop(name)
    process.wait()
    log.close()
    return name


def restart(stack, name):
    stack.start('karbor-protection', name, host=name)


def checkpoint_status(stack, checkpoint_id):
    status, body = stack.request('GET', '%s/%s' % (CHECKPOINTS,
                                                   checkpoint_id))
    return 'gone' if status == 404 else body['checkpoint']['status']


def slow_plan(stack, seconds):
    os.makedirs(os.path.join(stack.workdir, 'data', 'vol1'), exist_ok=True)
    # Workers answer once they are up.
    body = wait_until(lambda: (lambda r: r[1] if r[0] == 200 else None)(
        stack.request('GET',
                      '/protectables/OS::Karbor::Directory/instances')), 30)
    instance = body['instances'][0]
    status, body = stack.request('POST', '/plans', {'plan': {
        'name': 'slow', 'provider_id': NOOP_PROVIDER_ID,
        'resources': [{'id': instance['id'], 'name': 'vol1',
                       'type': 'OS::Karbor::Directory'}],
        'parameters': {'OS::Karbor::Directory': {
            'delay_seconds': seconds}}}})
    assert status == 201, body
    return body['plan']


def bank_keys(stack, checkpoint_id):
    root = os.path.join(stack.workdir, 'state', 'bank', 'objects',
                        checkpoint_store.checkpoint_prefix(checkpoint_id))
    found = []
    for directory, _, files in os.walk(root):
        found.extend(os.path.relpath(os.path.join(directory, f), root)
                     for f in files if not f.endswith('~info'))
    return sorted(found)


def test_sigkill_during_protect_and_delete(stack):
    plan = slow_plan(stack, seconds=3)
    status, body = stack.request('POST', CHECKPOINTS,
                                 {'checkpoint': {'plan_id': plan['id']}})
    assert status == 202, body
    checkpoint_id = body['checkpoint']['id']
    killed = kill_owner(stack, checkpoint_id, 'protect')
    assert checkpoint_status(stack, checkpoint_id) == 'protecting'
    # The survivor resumes it once the lease has expired.
    started = time.monotonic()
    wait_until(lambda: checkpoint_status(stack, checkpoint_id) not in
               ('protecting',), LEASE + 20)
    took = time.monotonic() - started
    assert checkpoint_status(stack, checkpoint_id) == 'available', took
    with open(os.path.join(stack.workdir, 'state', 'bank', 'objects',
                           checkpoint_store.checkpoint_prefix(checkpoint_id),
                           'metadata.json')) as f:
        assert json.load(f)['status'] == 'available'
    keys = bank_keys(stack, checkpoint_id)
    assert 'metadata.json' in keys
    assert any(k.endswith('manifest.json') for k in keys)
    assert any(k.endswith('noop-marker.json') for k in keys)
    restart(stack, killed)

    # List, show and restore it across the two workers.
    status, body = stack.request('GET', CHECKPOINTS + '?plan_id=%s'
                                 % plan['id'])
    assert [c['id'] for c in body['checkpoints']] == [checkpoint_id]
    status, body = stack.request('POST', '/restores', {'restore': {
        'provider_id': NOOP_PROVIDER_ID, 'checkpoint_id': checkpoint_id,
        'parameters': {}}})
    assert status == 202, body
    restore_id = body['restore']['id']
    restore = wait_until(lambda: (lambda r: r[1]['restore'] if r[1][
        'restore']['status'] != 'in_progress' else None)(
        stack.request('GET', '/restores/%s' % restore_id)), 30)
    assert restore['status'] == 'success', restore

    status, _ = stack.request('DELETE', '%s/%s' % (CHECKPOINTS,
                                                   checkpoint_id))
    assert status == 202
    killed = kill_owner(stack, checkpoint_id, 'delete')
    wait_until(lambda: checkpoint_status(stack, checkpoint_id) == 'gone',
               LEASE + 20)
    assert bank_keys(stack, checkpoint_id) == []
    restart(stack, killed)

    with stack.engine.connect() as connection:
        states = connection.execute(sa.text(
            'SELECT operation_type, state, attempts FROM operations '
            'WHERE checkpoint_id = :c ORDER BY created_at'),
            {'c': checkpoint_id}).all()
    assert [tuple(row) for row in states] == [('protect', 'done', 2),
                                              ('restore', 'done', 1),
                                              ('delete', 'done', 2)]
    # Their logs were closed by the worker that took them over.
    status, body = stack.request(
        'GET', '/operation_logs?checkpoint_id=%s&sort=started_at:asc'
        % checkpoint_id)
    assert status == 200
    assert [(log['operation_type'], log['status'])
            for log in body['operation_logs']] == [('protect', 'available'),
                                                   ('restore', 'restored'),
                                                   ('delete', 'deleted')]
    assert all(log['ended_at'] for log in body['operation_logs'])
