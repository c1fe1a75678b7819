"""Nothing stays protecting/deleting/in_progress, whatever goes wrong."""

import datetime

from oslo_utils import uuidutils
import sqlalchemy as sa

from karbor import context as karbor_context
from karbor.db import models
from karbor.db import operations as db_operations
from karbor.db import session as db_session
from karbor.protection import persistence
from karbor.protection.flows import operations as flows
from tests.functional.api.test_checkpoints import CHECKPOINTS
from tests.functional.api.test_checkpoints import protect
from tests.functional.api.test_checkpoints import protected
from tests.functional.api.test_checkpoints import slow_plan
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


def saved_flow_rows(operations):
    """How many rows of the operations' flows taskflow's tables hold."""
    book_ids = [op.logbook_id for op in operations]
    flow_ids = [op.flow_id for op in operations]
    counts = ((sa.table('logbooks', sa.column('uuid')).c.uuid, book_ids),
              (sa.table('flowdetails', sa.column('uuid')).c.uuid, flow_ids),
              (sa.table('atomdetails', sa.column('parent_uuid'))
               .c.parent_uuid, flow_ids))
    with db_session.get_engine().connect() as connection:
        return sum(connection.execute(
            sa.select(sa.func.count()).select_from(column.table)
            .where(column.in_(ids))).scalar() for column, ids in counts)


def test_an_ended_operation_leaves_no_saved_flow(api, directory):
    """Its flow is dropped in the transaction that ends it, whatever the
    outcome."""
    done = protected(api.user, create_plan(api.user, directory)['plan']['id'])
    failed = protected(api.user, slow_plan(api, directory,
                                           fail_with='no space')['id'])
    assert (done['status'], failed['status']) == ('available', 'error')
    operations = operation_rows()
    assert len(operations) == 2
    assert all(op.logbook_id and op.state == 'done' for op in operations)
    assert saved_flow_rows(operations) == 0


def test_an_operation_whose_saved_flow_is_gone_fails_with_the_reason(
        api, directory):
    plan = create_plan(api.user, directory)['plan']
    checkpoint, operation = accept_without_message(plan)
    # A worker that died right after claiming it, whose flow then vanished.
    claimed = db_operations.claim(DEMO, operation.id, 'dead-host:1:x', 1,
                                  in_transaction=persistence.create_flow)
    with db_session.writer() as session:
        persistence.forget_flow(session, claimed)
    done = wait_for(api.user, '%s/%s' % (CHECKPOINTS, checkpoint.id),
                    'checkpoint', timeout=20)
    assert done['status'] == 'error'
    assert done['error_info'] == 'the saved progress of the protect is gone'


def test_a_worker_that_lost_the_lease_leaves_the_flow_to_the_new_owner(
        api, directory):
    plan = create_plan(api.user, directory)['plan']
    _, operation = accept_without_message(plan)
    claimed = db_operations.claim(DEMO, operation.id, 'a:1:x', 60,
                                  in_transaction=persistence.create_flow)
    # Another worker took it over (as a claim after the lease expired).
    with db_session.writer() as session:
        session.execute(sa.update(models.Operation).values(owner='b:1:x'))
    # The first worker's late end changes nothing, the flow included.
    assert not db_operations.finish(DEMO, operation.id, 'a:1:x', False,
                                    'lost',
                                    in_transaction=persistence.forget_flow)
    assert saved_flow_rows([claimed]) == 2
