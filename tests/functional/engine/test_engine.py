"""The operation engine against the real API, database and worker.

Engines are polled by the test at chosen instants ("now" is passed in), so
many trigger periods take seconds; two engines poll at the same instant
from two threads to race for each due run.
"""

import datetime
import threading
import time

import pytest
import sqlalchemy as sa

from karbor.common import constants
from karbor.db import models
from karbor.db import scheduled_runs as db_runs
from karbor.db import session as db_session
from karbor.operationengine import engine as engine_module
from tests.functional.api.test_checkpoints import CHECKPOINTS
from tests.functional.api.test_checkpoints import slow_plan
from tests.functional.api.test_plans import create as create_plan
from tests.functional.api.test_triggers import create_trigger
from tests.functional.api.test_triggers import schedule

HOUR = datetime.timedelta(hours=1)


def start_of_hour(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def hourly(api):
    return create_trigger(api.user, {'format': 'crontab',
                                     'pattern': '0 * * * *',
                                     'start_time': '2026-01-01 00:00:00',
                                     'window': 900})['trigger_info']


def set_due(operation_id, due):
    with db_session.writer() as session:
        session.execute(sa.update(models.ScheduledOperation).where(
            models.ScheduledOperation.id == operation_id).values(
                next_run_at=due))


def poll_together(engines, now):
    """Every engine polls at ``now`` at once, as on separate hosts."""
    barrier = threading.Barrier(len(engines))
    errors = []

    def poll(engine):
        barrier.wait()
        try:
            engine.poll(now=now)
        except Exception as err:   # reported below, not lost in a thread
            errors.append(err)

    threads = [threading.Thread(target=poll, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def runs_of(client, operation_id):
    return client.get('/scheduled_operations/%s/runs' % operation_id,
                      status=200).json['runs']


def wait_until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError('not reached within %ss' % timeout)


def checkpoints_of(client, operation_id, status=None):
    query = '?extra_info=karbor-scheduled-operation-id:%s' % operation_id
    if status:
        query += '&status=%s' % status
    return client.get(CHECKPOINTS + query, status=200).json['checkpoints']


def logs_of(client, operation_id):
    return client.get('/operation_logs?scheduled_operation_id=%s'
                      % operation_id, status=200).json['operation_logs']


def no_operation_running(client, operation_id):
    return all(log['status'] in ('available', 'error', 'deleted',
                                 'error-deleting')
               for log in logs_of(client, operation_id))


def test_two_engines_retention_keeps_n_and_each_run_fires_once(
        api, directory, hourly):
    client = api.user
    plan = create_plan(client, directory)['plan']
    operation = schedule(client, hourly['id'], plan['id'],
                         'retention_protect', max_backups='2',
                         retention_duration='0')['scheduled_operation']
    engines = [engine_module.OperationEngine('engine-%d' % i)
               for i in range(2)]
    first = start_of_hour(datetime.datetime.utcnow()) - 10 * HOUR
    set_due(operation['id'], first)
    periods = 5
    for k in range(periods):
        due = first + k * HOUR
        poll_together(engines, due + datetime.timedelta(seconds=5))
        # Followed up (and retention applied) once the protect is done.
        wait_until(lambda: no_operation_running(client, operation['id']))
        poll_together(engines, due + datetime.timedelta(seconds=30))
        wait_until(lambda: no_operation_running(client, operation['id']))

    runs = runs_of(client, operation['id'])
    assert [r['state'] for r in runs] == ['succeeded'] * periods
    # Started once each, by one of the engines.
    assert [r['attempts'] for r in runs] == [1] * periods
    assert sorted(r['due_at'] for r in runs) == [
        (first + k * HOUR).isoformat() + '.000000Z' for k in range(periods)]
    kept = checkpoints_of(client, operation['id'], 'available')
    assert len(kept) == 2
    # The newest two are kept; the others went through the delete flow.
    newest = [r['checkpoint_id'] for r in runs[:2]]
    assert sorted(c['id'] for c in kept) == sorted(newest)
    for checkpoint in kept:
        assert checkpoint['extra_info'] == {
            'karbor-created-by': 'operation-engine',
            'karbor-scheduled-operation-id': operation['id'],
            'karbor-trigger-id': hourly['id']}
    deleted = [c for r in runs for c in r['deleted_checkpoints']]
    assert sorted(deleted) == sorted(r['checkpoint_id'] for r in runs[2:])

    logs = logs_of(client, operation['id'])
    protects = [log for log in logs if log['operation_type'] == 'protect']
    deletes = [log for log in logs if log['operation_type'] == 'delete']
    assert sorted(log['checkpoint_id'] for log in protects) == sorted(
        r['checkpoint_id'] for r in runs)
    assert sorted(log['checkpoint_id'] for log in deletes) == sorted(deleted)
    assert {log['status'] for log in protects} == {'available'}
    assert {log['status'] for log in deletes} == {'deleted'}

    shown = client.get('/scheduled_operations/%s' % operation['id'],
                       status=200).json['scheduled_operation']
    assert shown['last_run']['id'] == runs[0]['id']
    # Due at the hour after the last run.
    assert shown['next_run_at'] == \
        (first + periods * HOUR).isoformat() + '.000000Z'


def test_a_run_during_a_running_protect_is_skipped(api, directory, hourly):
    client = api.user
    plan = slow_plan(api, directory, seconds=3)
    operation = schedule(client, hourly['id'], plan['id'])[
        'scheduled_operation']
    engine = engine_module.OperationEngine('engine')
    first = start_of_hour(datetime.datetime.utcnow()) - 5 * HOUR
    set_due(operation['id'], first)
    engine.poll(now=first + datetime.timedelta(seconds=1))
    engine.poll(now=first + HOUR + datetime.timedelta(seconds=1))
    runs = runs_of(client, operation['id'])
    assert [r['state'] for r in runs] == ['skipped', 'running']
    assert 'still running' in runs[0]['reason']
    wait_until(lambda: no_operation_running(client, operation['id']))
    engine.poll(now=first + HOUR + datetime.timedelta(seconds=2))
    assert [r['state'] for r in runs_of(client, operation['id'])] == [
        'skipped', 'succeeded']
    # One checkpoint, one protect log: the skipped run started nothing.
    assert len(checkpoints_of(client, operation['id'])) == 1
    assert len(logs_of(client, operation['id'])) == 1


def test_runs_missed_while_no_engine_ran_are_recorded_not_fired(
        api, directory, hourly):
    client = api.user
    plan = create_plan(client, directory)['plan']
    operation = schedule(client, hourly['id'], plan['id'])[
        'scheduled_operation']
    first = start_of_hour(datetime.datetime.utcnow()) - 10 * HOUR
    set_due(operation['id'], first)
    # Seen 3 h 20 min late: the 3 h run is beyond its 900 s window too.
    engine_module.OperationEngine('late').poll(
        now=first + 3 * HOUR + datetime.timedelta(minutes=20))
    runs = runs_of(client, operation['id'])
    assert [(r['state'], r['due_at'][:16]) for r in runs] == [
        ('skipped', (first + 3 * HOUR).isoformat()[:16]),
        ('skipped', first.isoformat()[:16])]
    assert 'window' in runs[0]['reason']
    assert 'no operation engine' in runs[1]['reason']
    assert checkpoints_of(client, operation['id']) == []
    shown = client.get('/scheduled_operations/%s' % operation['id'],
                       status=200).json['scheduled_operation']
    assert shown['next_run_at'][:16] == (first + 4 * HOUR).isoformat()[:16]


def test_a_claim_of_a_dead_engine_is_taken_over_once(api, directory, hourly,
                                                      monkeypatch):
    client = api.user
    plan = create_plan(client, directory)['plan']
    operation = schedule(client, hourly['id'], plan['id'])[
        'scheduled_operation']
    first = start_of_hour(datetime.datetime.utcnow()) - 2 * HOUR
    set_due(operation['id'], first)
    row = db_runs.due_operations(None, first + HOUR, 10)[0]
    # An engine claims the run, then dies before starting it.
    [claimed] = db_runs.claim(None, row, first, first + HOUR, [
        {'due_at': first, 'state': constants.RUN_CLAIMED, 'reason': None}],
        'dead-engine', lease_seconds=1)
    survivor = engine_module.OperationEngine('survivor')
    survivor.poll(now=first + datetime.timedelta(seconds=2))
    assert runs_of(client, operation['id'])[0]['state'] == 'claimed'
    time.sleep(1.1)   # the dead engine's lease runs out
    survivor.poll(now=first + datetime.timedelta(seconds=3))
    [run] = runs_of(client, operation['id'])
    assert run['id'] == claimed.id and run['state'] == 'running'
    assert run['attempts'] == 2
    wait_until(lambda: no_operation_running(client, operation['id']))
    # Another engine following up does not start it again.
    engine_module.OperationEngine('third').poll(
        now=first + datetime.timedelta(seconds=4))
    [run] = runs_of(client, operation['id'])
    assert run['state'] == 'succeeded'
    assert len(checkpoints_of(client, operation['id'])) == 1


def test_a_disabled_operation_does_not_run(api, directory, hourly):
    client = api.user
    plan = create_plan(client, directory)['plan']
    operation = schedule(client, hourly['id'], plan['id'])[
        'scheduled_operation']
    client.put('/scheduled_operations/%s' % operation['id'], {
        'scheduled_operation': {'enabled': False}}, status=200)
    engine_module.OperationEngine('e').poll(
        now=datetime.datetime.utcnow() + 3 * HOUR)
    assert runs_of(client, operation['id']) == []


def test_a_scheduled_copy_copies_what_is_new(api, directory, hourly,
                                             tmp_path, extra_providers):
    from tests.functional.api import test_copies
    extra_providers(tmp_path, test_copies.provider_text(tmp_path))
    client = api.user
    plan = test_copies.make_plan(
        client, [test_copies.directory_resource(directory)])
    first_checkpoint = test_copies.protected(client, plan['id'])
    operation = schedule(client, hourly['id'], plan['id'], 'copy',
                         provider_id=test_copies.COPY_PROVIDER_ID,
                         destination='dr2')['scheduled_operation']
    engine = engine_module.OperationEngine('copier')
    first = start_of_hour(datetime.datetime.utcnow()) - 3 * HOUR
    set_due(operation['id'], first)

    def copy_done():
        engine.poll(now=due + datetime.timedelta(seconds=30))
        return runs_of(client, operation['id'])[0]['state'] != 'running'

    for k in range(2):
        due = first + k * HOUR
        engine.poll(now=due + datetime.timedelta(seconds=1))
        wait_until(copy_done)
    runs = runs_of(client, operation['id'])
    assert [r['state'] for r in runs] == ['succeeded', 'succeeded']
    first_copy = client.get('/copies/%s' % runs[1]['copy_id'],
                            status=200).json['copy']
    assert [c['source_checkpoint_id'] for c in first_copy['checkpoints']] \
        == [first_checkpoint['id']]
    assert first_copy['destination'] == 'dr2'
    # The second run found nothing new to copy.
    second_copy = client.get('/copies/%s' % runs[0]['copy_id'],
                             status=200).json['copy']
    assert second_copy['checkpoints'] == []
    logs = logs_of(client, operation['id'])
    assert [(log['operation_type'], log['status']) for log in logs] == [
        ('copy', 'success')]


def test_a_run_over_quota_fails_with_the_reason(api, directory, hourly):
    client = api.user
    plan = create_plan(client, directory)['plan']
    operation = schedule(client, hourly['id'], plan['id'])[
        'scheduled_operation']
    api.admin.put('/quotas/demo', {'quota': {'checkpoints': 0}}, status=200)
    first = start_of_hour(datetime.datetime.utcnow()) - 2 * HOUR
    set_due(operation['id'], first)
    engine_module.OperationEngine('e').poll(
        now=first + datetime.timedelta(seconds=1))
    [run] = runs_of(client, operation['id'])
    assert run['state'] == 'failed'
    assert 'Quota exceeded for checkpoints' in run['reason']
    assert checkpoints_of(client, operation['id']) == []


def test_an_unreadable_trigger_fails_its_run_and_blocks_nobody(
        api, directory, hourly):
    client = api.user
    plan = create_plan(client, directory)['plan']
    broken = schedule(client, hourly['id'], plan['id'], name='broken')[
        'scheduled_operation']
    other_plan = create_plan(client, directory)['plan']
    fine_trigger = create_trigger(client, {
        'format': 'crontab', 'pattern': '0 * * * *',
        'start_time': '2026-01-01 00:00:00'}, name='fine')['trigger_info']
    fine = schedule(client, fine_trigger['id'], other_plan['id'],
                    name='fine')['scheduled_operation']
    # Stored properties that no longer parse (an edit behind the API).
    with db_session.writer() as session:
        session.execute(sa.update(models.Trigger).where(
            models.Trigger.id == hourly['id']).values(
                properties={'format': 'crontab', 'pattern': 'garbage'}))
    first = start_of_hour(datetime.datetime.utcnow()) - 2 * HOUR
    set_due(broken['id'], first - HOUR)   # the most overdue: listed first
    set_due(fine['id'], first)
    engine = engine_module.OperationEngine('e')
    engine.poll(now=first + datetime.timedelta(seconds=1))
    [failed] = runs_of(client, broken['id'])
    assert failed['state'] == 'failed'
    assert 'cannot be read' in failed['reason']
    assert [r['state'] for r in runs_of(client, fine['id'])] == ['running']
    shown = client.get('/scheduled_operations/%s' % broken['id'],
                       status=200).json['scheduled_operation']
    # Tried again an hour after the poll that failed it.
    assert shown['next_run_at'].startswith(
        (first + HOUR + datetime.timedelta(seconds=1)).isoformat())
