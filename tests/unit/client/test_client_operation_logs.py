"""Operation logs and checkpoint extra-info: what the SDK sends, what the
CLI does (against the fake server)."""

import datetime
import json

import pytest

from karbor.client import exceptions
from karbor.client import http
from karbor.client.v1 import checkpoints
from karbor.client.v1 import operation_logs
from tests.unit.client.cli_runner import AUTH_ENV_VARS
from tests.unit.client.cli_runner import run_cli
from tests.unit.client.test_client_checkpoints import CHECKPOINT_ID
from tests.unit.client.test_client_checkpoints import CHECKPOINTS
from tests.unit.client.test_client_checkpoints import PLAN_ID
from tests.unit.client.test_client_checkpoints import PROVIDER_ID
from tests.unit.client.test_client_checkpoints import checkpoint

LOG_ID = '414b3d27-f6cd-403a-85a9-6c70b531854d'
RESTORE_ID = 'f04ef797-9bd4-483c-ab85-6c4b99967a98'
SCHEDULED_ID = '9c0a4a55-95a4-4a7c-a8f4-0d4c1f7f2e13'
LOGS = 'operation_logs'
PROVIDER_LOGS = 'providers/%s/operation_logs' % PROVIDER_ID


def log(operation_type='protect', status='available', **changes):
    data = {'id': LOG_ID, 'project_id': 'demo',
            'operation_type': operation_type,
            'checkpoint_id': CHECKPOINT_ID, 'plan_id': PLAN_ID,
            'provider_id': PROVIDER_ID, 'restore_id': None,
            'scheduled_operation_id': None, 'status': status,
            'started_at': '2026-01-01T00:00:00.000001Z',
            'ended_at': '2026-01-01T00:00:05.000001Z', 'error_info': None,
            'extra_info': {}, 'user_id': 'demo', 'request_id': 'req-1',
            'task_tag': None}
    data.update(changes)
    return data


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in AUTH_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def env(fake_server):
    return {'KARBOR_ENDPOINT': fake_server.url, 'OS_TOKEN': 'demo:demo'}


def cli(env, *args):
    return run_cli(['--retries', '0'] + list(args), env)


# -- SDK: operation logs ----------------------------------------------------

def test_list_sends_every_filter(fake_server, sdk):
    fake_server.add('GET', LOGS, body={'operation_logs': [log()]})
    listed = list(sdk.operation_logs.list(
        operation_type='restore', statuses=['restored', 'error-restoring'],
        checkpoint_id=CHECKPOINT_ID, plan_id=PLAN_ID, restore_id=RESTORE_ID,
        scheduled_operation_id=SCHEDULED_ID, provider_id=PROVIDER_ID,
        started_at=operation_logs.time_range(
            datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            '2026-02-01T00:00:00Z', inclusive=False),
        ended_at='lte:2026-03-01T00:00:00Z', all_tenants=True,
        project_id='other', sort='started_at:asc', limit=10))
    assert [type(item) for item in listed] == [operation_logs.OperationLog]
    assert fake_server.requests[0].path == '/v1/demo/operation_logs'
    assert fake_server.requests[0].query == {
        'operation_type': ['restore'],
        'status': ['in:restored,error-restoring'],
        'checkpoint_id': [CHECKPOINT_ID], 'plan_id': [PLAN_ID],
        'restore_id': [RESTORE_ID],
        'scheduled_operation_id': [SCHEDULED_ID],
        'provider_id': [PROVIDER_ID],
        'started_at': ['gt:2026-01-01T00:00:00+00:00',
                       'lt:2026-02-01T00:00:00Z'],
        'ended_at': ['lte:2026-03-01T00:00:00Z'],
        'all_tenants': ['1'], 'project_id': ['other'],
        'sort': ['started_at:asc'], 'limit': ['10']}


def test_list_without_filters_sends_none(fake_server, sdk):
    fake_server.add('GET', LOGS, body={'operation_logs': []})
    assert list(sdk.operation_logs.list()) == []
    assert fake_server.requests[0].query == {}


def test_list_one_status_and_a_comma_separated_statuses(fake_server, sdk):
    fake_server.add('GET', LOGS, body={'operation_logs': []})
    list(sdk.operation_logs.list(status='error'))
    list(sdk.operation_logs.list(statuses='deleted,error-deleting'))
    assert [r.query['status'] for r in fake_server.requests] == [
        ['error'], ['in:deleted,error-deleting']]
    with pytest.raises(ValueError):
        sdk.operation_logs.list(status='error', statuses=['deleted'])


def test_list_scoped_to_a_provider_uses_its_path(fake_server, sdk):
    fake_server.add('GET', PROVIDER_LOGS, body={'operation_logs': [log()]})
    listed = list(sdk.operation_logs.list(provider_id=PROVIDER_ID,
                                          scope_provider=True,
                                          operation_type='protect'))
    assert [item.id for item in listed] == [LOG_ID]
    request = fake_server.requests[0]
    assert request.path == '/v1/demo/' + PROVIDER_LOGS
    assert request.query == {'operation_type': ['protect']}
    with pytest.raises(ValueError):
        sdk.operation_logs.list(scope_provider=True)


def test_list_follows_next_links_keeping_repeated_ranges(fake_server, sdk):
    query = ('started_at=gte%3A2026-01-01T00%3A00%3A00Z&started_at=lt%3A'
             '2026-02-01T00%3A00%3A00Z&limit=1&marker=' + LOG_ID)
    fake_server.add('GET', LOGS, body={
        'operation_logs': [log()],
        'operation_logs_links': [{
            'rel': 'next',
            'href': 'http://elsewhere.invalid/v1/demo/operation_logs?'
                    + query}]})
    fake_server.add('GET', LOGS, body={'operation_logs': [
        log('delete', 'deleted', id='second')]})
    listed = list(sdk.operation_logs.list(
        started_at=['gte:2026-01-01T00:00:00Z', 'lt:2026-02-01T00:00:00Z'],
        page_size=1))
    assert [item.id for item in listed] == [LOG_ID, 'second']
    assert fake_server.requests[1].query['started_at'] == [
        'gte:2026-01-01T00:00:00Z', 'lt:2026-02-01T00:00:00Z']


def test_get_and_get_through_the_provider(fake_server, sdk):
    fake_server.add('GET', LOGS + '/' + LOG_ID, body={
        'operation_log': log('restore', 'error-restoring',
                             restore_id=RESTORE_ID, error_info='disk full',
                             extra_info={'plugin': 'noop'},
                             added_later='kept')})
    fake_server.add('GET', PROVIDER_LOGS + '/' + LOG_ID,
                    body={'operation_log': log()})
    got = sdk.operation_logs.get(LOG_ID)
    assert (got.operation_type, got.status, got.restore_id,
            got.error_info, got.extra_info, got.finished) == (
        'restore', 'error-restoring', RESTORE_ID, 'disk full',
        {'plugin': 'noop'}, True)
    # A field this SDK does not know yet is kept, not dropped.
    assert got.to_dict()['added_later'] == 'kept'
    assert sdk.operation_logs.get(LOG_ID, provider_id=PROVIDER_ID).status \
        == 'available'
    assert not operation_logs.OperationLog(ended_at=None).finished


def test_get_not_found_is_typed(fake_server, sdk):
    fake_server.add('GET', LOGS + '/nope', 404, {'itemNotFound': {
        'code': 404, 'message': 'Operation log nope could not be found.',
        'error_code': 'operation_log_not_found'}})
    with pytest.raises(exceptions.NotFound) as info:
        sdk.operation_logs.get('nope')
    assert info.value.error_code == 'operation_log_not_found'


def test_bad_filter_is_a_typed_bad_request(fake_server, sdk):
    fake_server.add('GET', LOGS, 400, {'badRequest': {
        'code': 400, 'message': "status 'bogus' is not one of ...",
        'error_code': 'invalid_query_parameter'}})
    with pytest.raises(exceptions.BadRequest) as info:
        list(sdk.operation_logs.list(status='bogus'))
    assert info.value.error_code == 'invalid_query_parameter'


def test_time_range_and_status_filter_helpers():
    assert operation_logs.time_range() == []
    assert operation_logs.time_range(after='2026-01-01T00:00:00Z') == [
        'gte:2026-01-01T00:00:00Z']
    assert operation_logs.time_range(before='2026-01-02T00:00:00Z') == [
        'lte:2026-01-02T00:00:00Z']
    assert operation_logs.status_filter() is None
    assert operation_logs.status_filter('error') == 'error'
    assert operation_logs.status_filter(statuses=('a', 'b')) == 'in:a,b'


def test_the_sdk_knows_the_statuses_of_each_operation_type():
    from karbor.common import constants
    assert operation_logs.OPERATION_TYPES == constants.OPERATION_LOG_TYPES
    assert operation_logs.STATUSES == constants.OPERATION_LOG_STATUSES


def test_encode_query_repeats_list_values_in_order():
    assert http.encode_query({'b': ['2', '1'], 'a': None, 'c': True,
                              'd': []}) == 'b=2&b=1&c=1'


# -- SDK: checkpoint extra-info --------------------------------------------

def test_checkpoint_list_extra_info_filters(fake_server, sdk):
    fake_server.add('GET', CHECKPOINTS, body={'checkpoints': []})
    list(sdk.checkpoints.list(PROVIDER_ID, extra_info={
        'reason': 'upgrade', 'x-ci--url': 'http://ci/1'}))
    list(sdk.checkpoints.list(PROVIDER_ID, extra_info=[('k', 'a:b')]))
    assert [r.query for r in fake_server.requests] == [
        {'extra_info': ['reason:upgrade', 'x-ci--url:http://ci/1']},
        {'extra_info': ['k:a:b']}]


@pytest.mark.parametrize('extra_info', [{'a:b': 'c'}, {'': 'c'},
                                        {'k': None}, [('k', 1)]])
def test_checkpoint_list_refuses_filters_the_server_cannot_read(
        fake_server, sdk, extra_info):
    with pytest.raises(ValueError):
        sdk.checkpoints.list(PROVIDER_ID, extra_info=extra_info)
    assert not fake_server.requests
    assert checkpoints.extra_info_filters({}) is None


# -- CLI: operation log ----------------------------------------------------

def test_cli_operation_log_list_maps_every_option(fake_server, env):
    fake_server.add('GET', 'providers', body={'providers': [
        {'id': PROVIDER_ID, 'name': 'No-op Provider'}]})
    fake_server.add('GET', 'plans', body={'plans': [
        {'id': PLAN_ID, 'name': 'nightly'}]})
    fake_server.add('GET', LOGS, body={'operation_logs': [
        log('restore', 'restored', restore_id=RESTORE_ID)]})
    result = cli(env, 'operation', 'log', 'list', '--type', 'restore',
                 '--status-in', 'restored, error-restoring',
                 '--checkpoint', CHECKPOINT_ID, '--plan', 'nightly',
                 '--restore', RESTORE_ID, '--scheduled-operation',
                 SCHEDULED_ID, '--provider', 'No-op Provider',
                 '--started-after', '2026-01-01T00:00:00Z',
                 '--started-before', '2026-02-01T00:00:00Z',
                 '--ended-after', '2026-01-01T00:00:01Z',
                 '--ended-before', '2026-03-01',
                 '--limit', '5', '--marker', 'm', '--sort', 'started_at:asc',
                 '-f', 'json')
    assert result.code == 0, result
    assert json.loads(result.stdout) == [{
        'ID': LOG_ID, 'Type': 'restore', 'Status': 'restored',
        'Checkpoint ID': CHECKPOINT_ID, 'Plan ID': PLAN_ID,
        'Started at': '2026-01-01T00:00:00.000001Z',
        'Ended at': '2026-01-01T00:00:05.000001Z'}]
    (request,) = fake_server.requests_to('GET', LOGS)
    assert request.query == {
        'operation_type': ['restore'],
        'status': ['in:restored,error-restoring'],
        'checkpoint_id': [CHECKPOINT_ID], 'plan_id': [PLAN_ID],
        'restore_id': [RESTORE_ID],
        'scheduled_operation_id': [SCHEDULED_ID],
        'provider_id': [PROVIDER_ID],
        'started_at': ['gte:2026-01-01T00:00:00Z',
                       'lt:2026-02-01T00:00:00Z'],
        'ended_at': ['gte:2026-01-01T00:00:01Z', 'lt:2026-03-01'],
        'limit': ['5'], 'marker': ['m'], 'sort': ['started_at:asc']}


def test_cli_operation_log_list_one_status_by_id_without_lookups(
        fake_server, env):
    fake_server.add('GET', LOGS, body={'operation_logs': [
        log('protect', 'error', error_info='boom')]})
    result = cli(env, 'operation', 'log', 'list', '--status', 'error',
                 '--plan', PLAN_ID, '--provider', PROVIDER_ID,
                 '-f', 'value', '-c', 'ID', '-c', 'Status')
    assert result.code == 0, result
    assert result.stdout == '%s error\n' % LOG_ID
    assert [r.path for r in fake_server.requests] == ['/v1/demo/' + LOGS]
    assert fake_server.requests[0].query == {
        'status': ['error'], 'plan_id': [PLAN_ID],
        'provider_id': [PROVIDER_ID]}


def test_cli_operation_log_list_all_projects_shows_the_project(fake_server,
                                                                env):
    fake_server.add('GET', LOGS, body={'operation_logs': [
        log(project_id='other')]})
    result = cli(env, 'operation', 'log', 'list', '--project', 'other',
                 '-f', 'json')
    assert result.code == 0, result
    (row,) = json.loads(result.stdout)
    assert row['Project ID'] == 'other'
    assert fake_server.requests[0].query == {'all_tenants': ['1'],
                                             'project_id': ['other']}
    result = cli(env, 'operation', 'log', 'list', '--all-projects',
                 '-f', 'value', '-c', 'Project ID')
    assert result.stdout == 'other\n'
    assert fake_server.requests[1].query == {'all_tenants': ['1']}


@pytest.mark.parametrize('args, message', [
    (['--status', 'error', '--status-in', 'a,b'], 'not allowed with'),
    (['--type', 'backup'], "invalid choice: 'backup'"),
])
def test_cli_operation_log_list_usage_errors(fake_server, env, capsys,
                                             args, message):
    result = cli(env, 'operation', 'log', 'list', *args)
    assert result.code == 2
    # argparse writes usage errors to the process's own stderr.
    assert message in capsys.readouterr().err
    assert not fake_server.requests


@pytest.mark.parametrize('args, message', [
    (['--status-in', ' , '], '--status-in expects a comma-separated list'),
    (['--started-after', ' '], '--started-after expects an ISO 8601 time'),
    (['--ended-before', ''], '--ended-before expects an ISO 8601 time'),
])
def test_cli_operation_log_list_bad_values_send_nothing(fake_server, env,
                                                        args, message):
    result = cli(env, 'operation', 'log', 'list', *args)
    assert result.code == 1
    assert message in result.stderr
    assert not fake_server.requests


def test_cli_operation_log_list_server_refusal_is_one_line(fake_server,
                                                            env):
    fake_server.add('GET', LOGS, 400, {'badRequest': {
        'code': 400, 'message': "Invalid query parameter: started_at: "
                                "'yesterday' is not an ISO 8601 time",
        'error_code': 'invalid_query_parameter',
        'request_id': 'req-9'}})
    result = cli(env, 'operation', 'log', 'list', '--started-after',
                 'yesterday')
    assert result.code == 1
    assert result.stdout == ''
    assert "'yesterday' is not an ISO 8601 time" in result.stderr
    assert '(HTTP 400)' in result.stderr


def test_cli_operation_log_show(fake_server, env):
    fake_server.add('GET', LOGS + '/' + LOG_ID, body={
        'operation_log': log('delete', 'error-deleting',
                             error_info='bank down',
                             extra_info={'objects': '3'})})
    result = cli(env, 'operation', 'log', 'show', LOG_ID, '-f', 'json')
    assert result.code == 0, result
    shown = json.loads(result.stdout)
    assert (shown['operation_type'], shown['status'], shown['error_info'],
            shown['extra_info']) == ('delete', 'error-deleting',
                                     'bank down', {'objects': '3'})
    table = cli(env, 'operation', 'log', 'show', LOG_ID)
    assert '{"objects": "3"}' in table.stdout


def test_cli_operation_log_show_through_a_provider(fake_server, env):
    fake_server.add('GET', PROVIDER_LOGS + '/' + LOG_ID,
                    body={'operation_log': log()})
    result = cli(env, 'operation', 'log', 'show', LOG_ID, '--provider',
                 PROVIDER_ID, '-f', 'value', '-c', 'status')
    assert result.code == 0, result
    assert result.stdout == 'available\n'


def test_cli_operation_log_show_not_found(fake_server, env):
    fake_server.add('GET', LOGS + '/nope', 404, {'itemNotFound': {
        'code': 404, 'message': 'Operation log nope could not be found.',
        'error_code': 'operation_log_not_found', 'request_id': 'req-2'}})
    result = cli(env, 'operation', 'log', 'show', 'nope')
    assert result.code == 1
    assert 'Operation log nope could not be found.' in result.stderr


# -- CLI: checkpoint extra-info ---------------------------------------------

def test_cli_checkpoint_list_extra_info_filters(fake_server, env):
    fake_server.add('GET', CHECKPOINTS, body={'checkpoints': [
        checkpoint('available', extra_info={'reason': 'upgrade'})[
            'checkpoint']]})
    result = cli(env, 'checkpoint', 'list', PROVIDER_ID, '--extra-info',
                 'reason=upgrade', '--extra-info', 'x-ci--url=http://c/1?a=b',
                 '-f', 'value', '-c', 'ID')
    assert result.code == 0, result
    assert result.stdout == CHECKPOINT_ID + '\n'
    assert fake_server.requests[0].query == {'extra_info': [
        'reason:upgrade', 'x-ci--url:http://c/1?a=b']}


def test_cli_checkpoint_list_extra_info_empty_value(fake_server, env):
    fake_server.add('GET', CHECKPOINTS, body={'checkpoints': []})
    result = cli(env, 'checkpoint', 'list', PROVIDER_ID, '--extra-info',
                 'note=')
    assert result.code == 0, result
    assert fake_server.requests[0].query == {'extra_info': ['note:']}


@pytest.mark.parametrize('command', ['create', 'list'])
@pytest.mark.parametrize('value, message', [
    ('ticket', "--extra-info expects KEY=VALUE, got 'ticket': extra-info "
               "values are strings and a key without one is refused; "
               "write ticket= for an empty value"),
    ('=v', "--extra-info expects KEY=VALUE, got '=v': the key is empty"),
])
def test_cli_checkpoint_bare_extra_info_key_is_refused(fake_server, env,
                                                       command, value,
                                                       message):
    args = [PROVIDER_ID] + ([PLAN_ID] if command == 'create' else [])
    result = cli(env, 'checkpoint', command, *args, '--extra-info', value)
    assert result.code == 1
    assert result.stderr.strip() == message
    assert not fake_server.requests


def test_cli_checkpoint_create_refuses_a_key_given_twice(fake_server, env):
    result = cli(env, 'checkpoint', 'create', PROVIDER_ID, PLAN_ID,
                 '--extra-info', 'a=1', '--extra-info', 'a=2')
    assert result.code == 1
    assert "--extra-info: key 'a' is given twice" in result.stderr
    assert not fake_server.requests


def test_cli_checkpoint_list_refuses_a_colon_in_a_filter_key(fake_server,
                                                             env):
    result = cli(env, 'checkpoint', 'list', PROVIDER_ID, '--extra-info',
                 'a:b=c')
    assert result.code == 1
    assert "key 'a:b' cannot contain \":\"" in result.stderr
    assert not fake_server.requests


def test_cli_checkpoint_create_server_extra_info_refusal(fake_server, env):
    fake_server.add('POST', CHECKPOINTS, 400, {'badRequest': {
        'code': 400, 'error_code': 'invalid_extra_info',
        'message': 'Invalid extra-info: key \'karbor-owner\': "karbor-" keys '
                   'are reserved for Karbor', 'request_id': 'req-3'}})
    result = cli(env, 'checkpoint', 'create', PROVIDER_ID, PLAN_ID,
                 '--extra-info', 'karbor-owner=me')
    assert result.code == 1
    assert '"karbor-" keys are reserved' in result.stderr
    assert fake_server.requests[0].json() == {'checkpoint': {
        'plan_id': PLAN_ID, 'extra-info': {'karbor-owner': 'me'}}}
