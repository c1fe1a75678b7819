"""Two karbor-operationengine processes, a real minute-by-minute trigger.

The production shape on PostgreSQL and RabbitMQ: a retention protect every
minute keeps exactly two checkpoints while both engines run, and after one
of them is SIGKILLed; every due minute runs exactly once.
"""

import datetime
import time

import pytest

from tests import services
from tests.functional import deployment
from tests.functional.conftest import NOOP_PROVIDER_ID

ADMIN = 'admin:demo'
PERIODS = 3   # minutes; the first with both engines, the rest with one


@pytest.fixture(scope='module')
def stack(tmp_path_factory):
    services.require('RabbitMQ', '127.0.0.1', 5672)
    db = services.Database('postgresql')
    deploy = deployment.Deployment(
        str(tmp_path_factory.mktemp('engines')), db.url,
        # The test-only minimum: a trigger every minute.
        operationengine__min_interval=60, operationengine__min_window=10,
        operationengine__poll_interval=2, operationengine__lease_seconds=8)
    try:
        deploy.run('karbor-manage', 'db', 'sync')
        deploy.start('karbor-protection')
        deploy.start('karbor-operationengine', name='engine-a',
                     host='engine-a')
        deploy.start('karbor-operationengine', name='engine-b',
                     host='engine-b')
        deploy.start('karbor-api')
        deploy.wait_for_api()
        yield deploy
    finally:
        deploy.stop_all()
        db.drop()


def wait_until(predicate, timeout, interval=1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError('condition not met within %ss' % timeout)


def ok(stack, method, path, body=None, token='demo:demo'):
    status, answer = stack.request(method, path, body, token=token)
    assert 200 <= status < 300, (status, answer)
    return answer


def runs(stack, operation_id):
    return ok(stack, 'GET', '/scheduled_operations/%s/runs'
              % operation_id)['runs']


def ended_runs(stack, operation_id, count):
    found = [r for r in runs(stack, operation_id)
             if r['state'] in ('succeeded', 'failed', 'skipped')]
    return found if len(found) >= count else None


def test_minute_trigger_two_engines_one_killed(stack):
    instances = wait_until(lambda: (lambda r: r[1] if r[0] == 200 else None)(
        stack.request('GET', '/protectables/OS::Karbor::Directory/'
                             'instances')), timeout=30)['instances']
    plan = ok(stack, 'POST', '/plans', {'plan': {
        'name': 'every-minute', 'provider_id': NOOP_PROVIDER_ID,
        'resources': [{'id': instances[0]['id'], 'name': 'vol1',
                       'type': 'OS::Karbor::Directory'}]}})['plan']
    trigger = ok(stack, 'POST', '/triggers', {'trigger_info': {
        'name': 'minutely', 'type': 'time',
        'properties': {'format': 'crontab', 'pattern': '* * * * *',
                       'window': 30}}})['trigger_info']
    operation = ok(stack, 'POST', '/scheduled_operations', {
        'scheduled_operation': {
            'name': 'keep-two', 'operation_type': 'retention_protect',
            'trigger_id': trigger['id'],
            'operation_definition': {
                'provider_id': NOOP_PROVIDER_ID, 'plan_id': plan['id'],
                'max_backups': 2}}})['scheduled_operation']

    services_ = ok(stack, 'GET', '/os-services?binary='
                   'karbor-operationengine', token=ADMIN)['services']
    assert {s['host'] for s in services_} == {'engine-a', 'engine-b'}

    wait_until(lambda: ended_runs(stack, operation['id'], 1), timeout=90)
    stack.stop('engine-a', kill=True)
    done = wait_until(lambda: ended_runs(stack, operation['id'], PERIODS),
                      timeout=60 * PERIODS + 30)

    # Each minute once, none lost: consecutive due minutes, all succeeded.
    dues = sorted(datetime.datetime.fromisoformat(r['due_at'])
                  for r in done)
    assert [r['state'] for r in done] == ['succeeded'] * len(done), done
    assert all(later - earlier == datetime.timedelta(minutes=1)
               for earlier, later in zip(dues, dues[1:], strict=False))

    def settled():
        checkpoints = ok(stack, 'GET', '/providers/%s/checkpoints?'
                         'plan_id=%s' % (NOOP_PROVIDER_ID, plan['id']))[
            'checkpoints']
        statuses = sorted(c['status'] for c in checkpoints)
        return checkpoints if statuses == ['available'] * 2 else None
    # The retention of the last run deletes the oldest beyond two; runs
    # that started since may add a protecting one for a moment.
    kept = wait_until(settled, timeout=60)
    for checkpoint in kept:
        assert checkpoint['extra_info']['karbor-scheduled-operation-id'] == \
            operation['id']

    logs = ok(stack, 'GET', '/operation_logs?scheduled_operation_id=%s'
              % operation['id'])['operation_logs']
    protect_logs = [log for log in logs if log['operation_type'] == 'protect']
    by_checkpoint = {}
    for log in protect_logs:
        by_checkpoint.setdefault(log['checkpoint_id'], []).append(log)
    # One protect log per run, none twice.
    assert all(len(entries) == 1 for entries in by_checkpoint.values())
    assert {r['checkpoint_id'] for r in done} <= set(by_checkpoint)
