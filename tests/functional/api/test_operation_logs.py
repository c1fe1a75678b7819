"""Operation logs: exactly one per operation, closed with its outcome."""

import datetime
import os
import subprocess
import sys
import urllib.parse

from oslo_config import cfg
import pytest

from karbor import notifications
from tests.functional.api.test_checkpoints import CHECKPOINTS
from tests.functional.api.test_checkpoints import protect
from tests.functional.api.test_checkpoints import protected
from tests.functional.api.test_checkpoints import slow_plan
from tests.functional.api.test_checkpoints import wait_for
from tests.functional.api.test_plans import create as create_plan
from tests.functional.conftest import NOOP_PROVIDER_ID
from tests.functional.conftest import count_rows

CONF = cfg.CONF
LOGS = '/operation_logs'


def logs(client, query=''):
    return client.get(LOGS + ('?' + query if query else ''),
                      status=200).json['operation_logs']


def restored(client, checkpoint_id, parameters=None):
    body = {'restore': {'provider_id': NOOP_PROVIDER_ID,
                        'checkpoint_id': checkpoint_id,
                        'parameters': parameters or {}}}
    restore = client.post('/restores', body, status=202).json['restore']
    return wait_for(client, '/restores/%s' % restore['id'], 'restore')


def test_protect_restore_delete_each_leave_one_closed_log(any_api,
                                                          directory):
    plan = create_plan(any_api.user, directory)['plan']
    response = any_api.user.post(CHECKPOINTS,
                                 {'checkpoint': {'plan_id': plan['id']}},
                                 status=202)
    checkpoint_id = response.json['checkpoint']['id']
    wait_for(any_api.user, '%s/%s' % (CHECKPOINTS, checkpoint_id),
             'checkpoint')
    restore = restored(any_api.user, checkpoint_id)
    any_api.user.delete('%s/%s' % (CHECKPOINTS, checkpoint_id), status=202)
    wait_for(any_api.user, '%s/%s' % (CHECKPOINTS, checkpoint_id),
             'checkpoint')
    any_api.user.delete('/plans/%s' % plan['id'], status=204)

    # Newest first; logs outlive their checkpoint and plan.
    found = logs(any_api.user)
    assert [(log['operation_type'], log['status']) for log in found] == [
        ('delete', 'deleted'), ('restore', 'restored'),
        ('protect', 'available')]
    for log in found:
        assert log['checkpoint_id'] == checkpoint_id
        assert log['plan_id'] == plan['id']
        assert log['provider_id'] == NOOP_PROVIDER_ID
        assert log['project_id'] == 'demo' and log['user_id'] == 'demo'
        assert log['ended_at'] >= log['started_at']
        assert log['error_info'] is None
    delete_log, restore_log, protect_log = found
    assert restore_log['restore_id'] == restore['id']
    assert protect_log['request_id'] == \
        response.headers['x-openstack-request-id']
    marker_key = 'noop-marker:%s' % plan['resources'][0]['id']
    assert len(protect_log['extra_info'][marker_key]) == 64
    shown = any_api.user.get('%s/%s' % (LOGS, protect_log['id']),
                             status=200).json['operation_log']
    assert shown == protect_log
    scoped = any_api.user.get('/providers/%s/operation_logs/%s' % (
        NOOP_PROVIDER_ID, protect_log['id']), status=200).json
    assert scoped['operation_log'] == protect_log


def test_failures_are_recorded_with_their_reason(api, directory):
    plan = slow_plan(api, directory, fail_with='tape jammed')
    checkpoint = protected(api.user, plan['id'])
    [log] = logs(api.user)
    assert (log['operation_type'], log['status']) == ('protect', 'error')
    assert 'tape jammed' in log['error_info']
    assert log['error_info'] == checkpoint['error_info']
    assert log['ended_at'] is not None

    good = protected(api.user, create_plan(api.user, directory,
                                           name='good')['plan']['id'])
    restore = restored(api.user, good['id'], {
        'OS::Karbor::Directory': {'fail_with': 'target is read-only'}})
    assert restore['status'] == 'fail'
    restore_log = logs(api.user, 'operation_type=restore')[0]
    assert restore_log['status'] == 'error-restoring'
    assert 'target is read-only' in restore_log['error_info']


def test_rejected_requests_leave_no_log(api, directory):
    plan = slow_plan(api, directory, seconds=1)
    protect(api.user, plan['id'])
    protect(api.user, plan['id'], status=409)
    api.user.post(CHECKPOINTS, {'checkpoint': {'plan_id': 'nope'}},
                  status=400)
    api.user.post('/restores', {'restore': {
        'provider_id': NOOP_PROVIDER_ID,
        'checkpoint_id': '00000000-0000-0000-0000-000000000000'}},
        status=404)
    assert count_rows('operation_logs') == 1


def test_filters_sort_and_pages(api, directory):
    plan = create_plan(api.user, directory)['plan']
    failing = slow_plan(api, directory, fail_with='no')
    first = protected(api.user, plan['id'])
    bad = protected(api.user, failing['id'])
    # Karbor's own keys are set by the service, or by an administrator.
    second = protected(api.client('admin:demo', 'demo'), plan['id'],
                       **{'extra-info': {'karbor-scheduled-operation-id':
                                         'op-1'}})
    restore = restored(api.user, first['id'])

    def ids(query):
        return [(log['operation_type'], log['checkpoint_id'])
                for log in logs(api.user, query)]

    assert ids('operation_type=restore') == [('restore', first['id'])]
    assert ids('status=error') == [('protect', bad['id'])]
    assert ids('status=in:error,restored') == [('restore', first['id']),
                                               ('protect', bad['id'])]
    assert ids('checkpoint_id=%s' % second['id']) == [
        ('protect', second['id'])]
    assert ids('plan_id=%s' % failing['id']) == [('protect', bad['id'])]
    assert ids('restore_id=%s' % restore['id']) == [
        ('restore', first['id'])]
    assert ids('scheduled_operation_id=op-1') == [('protect', second['id'])]
    assert len(ids('provider_id=%s' % NOOP_PROVIDER_ID)) == 4

    everything = logs(api.user, 'sort=started_at:asc')
    middle = everything[1]['started_at']
    after = logs(api.user, 'started_at=' + urllib.parse.quote('gte:' +
                                                              middle))
    assert len(after) == 3
    window = logs(api.user, 'started_at=%s&started_at=%s' % (
        urllib.parse.quote('gte:' + middle),
        urllib.parse.quote('lt:' + everything[2]['started_at'])))
    assert [log['id'] for log in window] == [everything[1]['id']]
    tomorrow = (datetime.datetime.utcnow() +
                datetime.timedelta(days=1)).isoformat()
    assert logs(api.user, 'ended_at=lt:' + tomorrow) != []
    assert logs(api.user, 'ended_at=gte:' + tomorrow) == []

    page = api.user.get(LOGS + '?limit=3&sort=started_at:asc').json
    assert [log['id'] for log in page['operation_logs']] == \
        [log['id'] for log in everything[:3]]
    href = urllib.parse.urlsplit(page['operation_logs_links'][0]['href'])
    rest = api.user.get(LOGS + '?' + href.query).json['operation_logs']
    assert [log['id'] for log in rest] == [everything[3]['id']]


@pytest.mark.parametrize('query', [
    'operation_type=backup', 'status=done', 'status=in:error,done',
    'started_at=2026-01-01', 'started_at=after:2026-01-01',
    'ended_at=gte:yesterday', 'colour=red', 'sort=plan_id:asc',
    'checkpoint=x'])
def test_bad_filters_are_400(api, query):
    error = api.user.get(LOGS + '?' + query, status=400).json['badRequest']
    assert error['error_code'] == 'invalid_query_parameter'


def test_projects_are_isolated(api, directory):
    mine = protected(api.user, create_plan(api.user, directory)['plan'][
        'id'])
    theirs = protected(api.other, create_plan(api.other, directory)[
        'plan']['id'])
    [my_log] = logs(api.user)
    assert my_log['checkpoint_id'] == mine['id']
    api.other.get('%s/%s' % (LOGS, my_log['id']), status=404)
    api.user.get(LOGS + '?all_tenants=1', status=403)
    api.user.get(LOGS + '?project_id=other', status=403)
    both = logs(api.admin, 'all_tenants=1')
    assert {log['checkpoint_id'] for log in both} == {mine['id'],
                                                      theirs['id']}
    assert [log['checkpoint_id'] for log in logs(
        api.admin, 'all_tenants=1&project_id=other')] == [theirs['id']]
    api.user.get('/providers/%s/operation_logs' % ('0' * 32), status=404)
    # The provider-scoped list takes its provider from the path only.
    api.user.get('/providers/%s/operation_logs?provider_id=x'
                 % NOOP_PROVIDER_ID, status=400)


def test_notifications(api, directory):
    from oslo_messaging.notify import _impl_test
    CONF.set_override('driver', ['test'],
                      group='oslo_messaging_notifications')
    notifications.reset()
    _impl_test.reset()
    try:
        plan = slow_plan(api, directory, fail_with='nope')
        protected(api.user, plan['id'])
        messages = [n[1] for n in _impl_test.NOTIFICATIONS]
        events = [(m['event_type'], m['priority']) for m in messages]
        assert ('karbor.protect.start', 'INFO') in events
        assert ('karbor.protect.error', 'ERROR') in events
        error = [m for m in messages
                 if m['event_type'] == 'karbor.protect.error'][0]
        assert 'nope' in error['payload']['error_info']
        assert error['payload']['plan_id'] == plan['id']
    finally:
        CONF.clear_override('driver', group='oslo_messaging_notifications')
        notifications.reset()


def test_purge(api, directory, database, tmp_path):
    plan = create_plan(api.user, directory)['plan']
    protected(api.user, plan['id'])
    protected(api.user, plan['id'])
    env = dict(os.environ, OS_DATABASE__CONNECTION=database.url,
               OS_DEFAULT__STATE_PATH=str(tmp_path))
    manage = os.path.join(os.path.dirname(sys.executable), 'karbor-manage')
    result = subprocess.run([manage, 'operation-log', 'purge', '--before',
                             '2000-01-01'], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'Purged 0 operation logs' in result.stdout
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1))
    result = subprocess.run([manage, 'operation-log', 'purge', '--before',
                             tomorrow.isoformat(), '--batch-size', '1'],
                            env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'Purged 2 operation logs' in result.stdout
    assert logs(api.user) == []
    result = subprocess.run([manage, 'operation-log', 'purge', '--before',
                             'someday'], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert 'ISO 8601' in result.stderr
