"""Nothing stays protecting/deleting/in_progress, whatever goes wrong."""

import datetime

from oslo_utils import uuidutils
import sqlalchemy as sa

from karbor import context as karbor_context
from karbor.db import models
from karbor.db import operations as db_operations
from karbor.db import session as db_session
from karbor.protection.flows import operations as flows
from tests.functional.api.test_checkpoints import CHECKPOINTS
from tests.functional.api.test_checkpoints import protect
from tests.functional.api.test_checkpoints import wait_for
from tests.functional.api.test_plans import create as create_plan

DEMO = karbor_context.RequestContext(user_id='demo', project_id='demo')


def accept_without_message(plan):
    """A protect accepted in the database but never sent to a worker."""
    return db_operations.accept_protect(DEMO, {
        'id': uuidutils.generate_uuid(), 'project_id': 'demo',
        'user_id': 'demo', 'provider_id': plan['provider_id'],
        'plan_id': plan['id'],
        'plan': {'id': plan['id'], 'name': plan['name'],
                 'resources': plan['resources'], 'parameters': {}},
        'extra_info': {}})


def operation_rows():
    with db_session.reader() as session:
        return session.execute(sa.select(models.Operation)).scalars().all()


def test_flow_build_failure_fails_cleanly(api, directory, monkeypatch):
    plan = create_plan(api.user, directory)['plan']

    def broken(runtime):
        raise RuntimeError('the plugin is not installed')

    monkeypatch.setitem(flows.BUILDERS, 'protect', broken)
    checkpoint = protect(api.user, plan['id'])['checkpoint']
    done = wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint['id']),
                    'checkpoint')
    assert done['status'] == 'error'
    assert done['error_info'].startswith('preparing the protect')
    [operation] = operation_rows()
    assert operation.state == 'done'
    assert operation.exclusive_key is None
    monkeypatch.undo()
    # The plan is free again, and the errored checkpoint can be deleted.
    api.user.delete('%s/%s' % (CHECKPOINTS, checkpoint['id']), status=202)
    assert wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint['id']),
                    'checkpoint') is None


def test_operation_whose_message_was_lost_is_run(api, directory):
    """Accepted but never sent to a worker: the recovery scan finds it."""
    plan = create_plan(api.user, directory)['plan']
    checkpoint, _ = accept_without_message(plan)
    done = wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint.id),
                    'checkpoint', timeout=20)
    assert done['status'] == 'available'


def test_operation_of_a_dead_worker_is_taken_over(api, directory):
    """A running operation whose lease expired is resumed by a worker."""
    plan = create_plan(api.user, directory)['plan']
    ctxt = DEMO
    checkpoint, operation = accept_without_message(plan)
    # A worker that died right after claiming it.
    assert db_operations.claim(ctxt, operation.id, 'dead-host:1:x', 1)
    done = wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint.id),
                    'checkpoint', timeout=20)
    assert done['status'] == 'available'
    [row] = operation_rows()
    assert row.attempts == 2
    assert row.owner != 'dead-host:1:x'


def test_gives_up_after_max_attempts(api, directory):
    plan = create_plan(api.user, directory)['plan']
    checkpoint, operation = accept_without_message(plan)
    expired = datetime.datetime.utcnow() - datetime.timedelta(seconds=5)
    with db_session.writer() as session:
        session.execute(sa.update(models.Operation).values(
            state='running', owner='crashing:1:x', attempts=3,
            lease_expires_at=expired))
    done = wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint.id),
                    'checkpoint', timeout=20)
    assert done['status'] == 'error'
    assert 'gave up after 3 attempts' in done['error_info']


def test_two_claims_never_both_succeed(api, directory):
    plan = create_plan(api.user, directory)['plan']
    ctxt = DEMO
    _, operation = accept_without_message(plan)
    first = db_operations.claim(ctxt, operation.id, 'a:1:x', 60)
    second = db_operations.claim(ctxt, operation.id, 'b:1:x', 60)
    assert first is not None and second is None
    assert db_operations.renew(ctxt, 'b:1:x', {operation.id}, 60) == set()
    assert not db_operations.finish(ctxt, operation.id, 'b:1:x', True)
    assert db_operations.finish(ctxt, operation.id, 'a:1:x', True)


def test_an_operation_just_finished_by_its_owner_is_not_lost(api, directory):
    """The lease renewal may run between an operation's end and its worker
    thread noticing: done by its owner is not "taken over"."""
    plan = create_plan(api.user, directory)['plan']
    ctxt = DEMO
    _, operation = accept_without_message(plan)
    assert db_operations.claim(ctxt, operation.id, 'a:1:x', 60)
    assert db_operations.finish(ctxt, operation.id, 'a:1:x', True)
    assert db_operations.renew(ctxt, 'a:1:x', {operation.id}, 60) == {
        operation.id}
    assert db_operations.renew(ctxt, 'b:1:x', {operation.id}, 60) == set()
