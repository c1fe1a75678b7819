"""Scheduled operations and their runs: what the SDK sends, what the CLI
does."""

import json

import pytest

from karbor.client import exceptions
from karbor.client.v1 import scheduled_operations
from tests.unit.client.cli_runner import AUTH_ENV_VARS
from tests.unit.client.cli_runner import run_cli
from tests.unit.client.fake_karbor_server import error_body

OPERATION_ID = '9c0e3f6a-2b4d-4e1f-8a7b-5c6d7e8f9a01'
OTHER_ID = '3e5f7a9b-1c2d-4e3f-8a4b-6c7d8e9f0a12'
TRIGGER_ID = '1bd84f0e-9d8b-4a63-8c36-5b7a3c0d1e21'
PLAN_ID = '3523a271-68aa-42f5-b9ba-56e5200a2ebb'
PROVIDER_ID = 'b766f37c-d011-4026-8228-28730d734a3f'
CHECKPOINT_ID = '2468eada-7006-4cf1-99d4-aac27a66e350'
RUN_ID = '4a6b8c0d-2e4f-4a6b-8c0d-2e4f6a8b0c1d'
PATH = 'scheduled_operations/' + OPERATION_ID
RUNS = PATH + '/runs'


def run(state='succeeded', **changes):
    data = {'id': RUN_ID, 'scheduled_operation_id': OPERATION_ID,
            'operation_type': 'retention_protect',
            'due_at': '2026-01-01T02:00:00Z', 'state': state,
            'checkpoint_id': CHECKPOINT_ID, 'copy_id': None,
            'deleted_checkpoints': [], 'reason': None, 'attempts': 1,
            'started_at': '2026-01-01T02:00:01Z',
            'finished_at': '2026-01-01T02:00:05Z'}
    data.update(changes)
    return data


def operation(last_run=None, **changes):
    data = {'id': OPERATION_ID, 'name': 'nightly', 'description': None,
            'operation_type': 'retention_protect', 'trigger_id': TRIGGER_ID,
            'operation_definition': {'provider_id': PROVIDER_ID,
                                     'plan_id': PLAN_ID, 'max_backups': 3,
                                     'retention_duration': 7},
            'enabled': True, 'project_id': 'demo', 'user_id': 'demo',
            'next_run_at': '2026-01-02T02:00:00Z', 'last_run': last_run,
            'created_at': '2026-01-01T00:00:00Z', 'updated_at': None}
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


# -- SDK --------------------------------------------------------------------

def test_create_body_and_typed_result(fake_server, sdk):
    fake_server.add('POST', 'scheduled_operations', 201,
                    {'scheduled_operation': operation()})
    created = sdk.scheduled_operations.create(
        'nightly', 'retention_protect', TRIGGER_ID, PROVIDER_ID, PLAN_ID,
        max_backups=3, retention_duration=7, description='d')
    assert isinstance(created, scheduled_operations.ScheduledOperation)
    assert (created.plan_id, created.provider_id) == (PLAN_ID, PROVIDER_ID)
    assert created.latest_run is None and created.last_run_state is None
    assert fake_server.requests[0].json() == {'scheduled_operation': {
        'name': 'nightly', 'operation_type': 'retention_protect',
        'trigger_id': TRIGGER_ID, 'enabled': True, 'description': 'd',
        'operation_definition': {'provider_id': PROVIDER_ID,
                                 'plan_id': PLAN_ID, 'max_backups': 3,
                                 'retention_duration': 7}}}


def test_create_copy_disabled(fake_server, sdk):
    fake_server.add('POST', 'scheduled_operations', 201,
                    {'scheduled_operation': operation(enabled=False)})
    sdk.scheduled_operations.create(
        'dr', 'copy', TRIGGER_ID, PROVIDER_ID, PLAN_ID, destination='dr',
        parameters={'T': {'a': 1}}, enabled=False)
    body = fake_server.requests[0].json()['scheduled_operation']
    assert body['enabled'] is False
    assert body['operation_definition'] == {
        'provider_id': PROVIDER_ID, 'plan_id': PLAN_ID, 'destination': 'dr',
        'parameters': {'T': {'a': 1}}}


def test_update_enable_disable(fake_server, sdk):
    fake_server.add('PUT', PATH, 200, {'scheduled_operation': operation()})
    sdk.scheduled_operations.update(OPERATION_ID, description='x')
    sdk.scheduled_operations.disable(OPERATION_ID)
    sdk.scheduled_operations.enable(OPERATION_ID)
    assert [r.json() for r in fake_server.requests] == [
        {'scheduled_operation': {'description': 'x'}},
        {'scheduled_operation': {'enabled': False}},
        {'scheduled_operation': {'enabled': True}}]


def test_list_filters_send_false_too(fake_server, sdk):
    fake_server.add('GET', 'scheduled_operations', body={
        'operations': [operation(last_run=run('failed'))]})
    listed = list(sdk.scheduled_operations.list(
        plan_id=PLAN_ID, operation_type='protect', enabled=False))
    assert [o.last_run_state for o in listed] == ['failed']
    assert isinstance(listed[0].latest_run, scheduled_operations.ScheduledRun)
    list(sdk.scheduled_operations.list(enabled=True, trigger_id=TRIGGER_ID))
    assert [r.query for r in fake_server.requests] == [
        {'plan_id': [PLAN_ID], 'operation_type': ['protect'],
         'enabled': ['false']},
        {'enabled': ['true'], 'trigger_id': [TRIGGER_ID]}]


def test_runs_follow_their_links(fake_server, sdk):
    fake_server.add('GET', RUNS, body={
        'runs': [run()], 'runs_links': [{
            'rel': 'next', 'href': 'http://elsewhere/v1/demo/%s?marker=%s'
            '&limit=1' % (RUNS, RUN_ID)}]})
    fake_server.add('GET', RUNS, body={'runs': [run('skipped', id=OTHER_ID,
                                                    reason='missed')]})
    runs = list(sdk.scheduled_operations.runs(OPERATION_ID, page_size=1))
    assert [(r.state, r.finished) for r in runs] == [
        ('succeeded', True), ('skipped', True)]
    assert all(isinstance(r, scheduled_operations.ScheduledRun)
               for r in runs)
    assert [r.query for r in fake_server.requests] == [
        {'limit': ['1']}, {'marker': [RUN_ID], 'limit': ['1']}]


def test_runs_state_filter(fake_server, sdk):
    fake_server.add('GET', RUNS, body={'runs': []})
    assert list(sdk.scheduled_operations.runs(OPERATION_ID,
                                              state='failed')) == []
    assert fake_server.requests[0].query == {'state': ['failed']}


def test_find_and_delete(fake_server, sdk):
    fake_server.add('GET', 'scheduled_operations', body={'operations': []})
    with pytest.raises(exceptions.NotFound,
                       match="No scheduled operation with a name"):
        sdk.scheduled_operations.find('nightly')
    fake_server.add('DELETE', PATH, 204)
    assert sdk.scheduled_operations.delete(OPERATION_ID) is None


# -- CLI --------------------------------------------------------------------

def test_cli_create_by_names_with_the_plans_provider(fake_server, env):
    fake_server.add('GET', 'plans', body={'plans': [{
        'id': PLAN_ID, 'name': 'home', 'provider_id': PROVIDER_ID}]})
    fake_server.add('GET', 'triggers', body={'triggers': [{
        'id': TRIGGER_ID, 'name': 'hourly'}]})
    fake_server.add('POST', 'scheduled_operations', 201,
                    {'scheduled_operation': operation()})
    result = cli(env, 'scheduled', 'operation', 'create', 'nightly',
                 '--type', 'retention_protect', '--trigger', 'hourly',
                 '--plan', 'home', '--max-backups', '3', '--retention-days',
                 '7', '--description', 'd', '--disabled', '-f', 'json')
    assert result.code == 0, result
    shown = json.loads(result.stdout)
    assert shown['id'] == OPERATION_ID
    assert (shown['last_run'], shown['last_run_state']) == (None, None)
    (post,) = fake_server.requests_to('POST', 'scheduled_operations')
    assert post.json() == {'scheduled_operation': {
        'name': 'nightly', 'operation_type': 'retention_protect',
        'trigger_id': TRIGGER_ID, 'enabled': False, 'description': 'd',
        'operation_definition': {'provider_id': PROVIDER_ID,
                                 'plan_id': PLAN_ID, 'max_backups': 3,
                                 'retention_duration': 7}}}


def test_cli_create_copy_by_ids(fake_server, env):
    fake_server.add('POST', 'scheduled_operations', 201,
                    {'scheduled_operation': operation()})
    result = cli(env, 'scheduled', 'operation', 'create', 'dr', '--type',
                 'copy', '--trigger', TRIGGER_ID, '--plan', PLAN_ID,
                 '--provider', PROVIDER_ID, '--destination', 'second-bank',
                 '--parameter', 'OS::Karbor::Directory=depth=2')
    assert result.code == 0, result
    # Ids are used as they are: one request.
    (post,) = fake_server.requests
    assert post.json()['scheduled_operation']['operation_definition'] == {
        'provider_id': PROVIDER_ID, 'plan_id': PLAN_ID,
        'destination': 'second-bank',
        'parameters': {'OS::Karbor::Directory': {'depth': 2}}}


def test_cli_create_shows_the_servers_error(fake_server, env):
    message = ("Invalid scheduled operation: Additional properties are not "
               "allowed ('max_backups' was unexpected)")
    fake_server.add('POST', 'scheduled_operations', 400, error_body(
        'badRequest', 400, message, 'invalid_scheduled_operation'))
    result = cli(env, 'scheduled', 'operation', 'create', 'n', '--type',
                 'protect', '--trigger', TRIGGER_ID, '--plan', PLAN_ID,
                 '--provider', PROVIDER_ID, '--max-backups', '3')
    assert result.code == 1
    assert result.stderr == '%s (HTTP 400) (Request-ID: req-test-1)\n' % (
        message)


def test_cli_create_needs_type_trigger_and_plan(fake_server, env, capsys):
    result = cli(env, 'scheduled', 'operation', 'create', 'n', '--plan',
                 PLAN_ID)
    assert result.code == 2
    # (argparse writes to the process's stderr.)
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.endswith('required: --type, --trigger')
    assert fake_server.requests == []


def test_cli_list_shows_next_run_and_last_run_state(fake_server, env):
    fake_server.add('GET', 'scheduled_operations', body={'operations': [
        operation(last_run=run('failed', reason='bank full')),
        operation(id=OTHER_ID, name='weekly', enabled=False,
                  next_run_at=None)]})
    result = cli(env, 'scheduled', 'operation', 'list', '--disabled',
                 '--type', 'protect', '--plan', PLAN_ID, '--trigger',
                 TRIGGER_ID, '--provider', PROVIDER_ID, '-f', 'json')
    assert result.code == 0, result
    assert json.loads(result.stdout) == [
        {'ID': OPERATION_ID, 'Name': 'nightly', 'Type': 'retention_protect',
         'Trigger ID': TRIGGER_ID, 'Plan ID': PLAN_ID, 'Enabled': True,
         'Next run at': '2026-01-02T02:00:00Z', 'Last run': 'failed'},
        {'ID': OTHER_ID, 'Name': 'weekly', 'Type': 'retention_protect',
         'Trigger ID': TRIGGER_ID, 'Plan ID': PLAN_ID, 'Enabled': False,
         'Next run at': None, 'Last run': None}]
    assert fake_server.requests[0].query == {
        'enabled': ['false'], 'operation_type': ['protect'],
        'plan_id': [PLAN_ID], 'trigger_id': [TRIGGER_ID],
        'provider_id': [PROVIDER_ID]}


def test_cli_list_enabled_and_disabled_exclude_each_other(env):
    result = cli(env, 'scheduled', 'operation', 'list', '--enabled',
                 '--disabled')
    assert result.code == 2


def test_cli_show_by_name(fake_server, env):
    fake_server.add('GET', 'scheduled_operations', body={'operations': [
        operation(last_run=run())]})
    result = cli(env, 'scheduled', 'operation', 'show', 'nightly', '-f',
                 'value', '-c', 'next_run_at', '-c', 'last_run_state')
    assert result.code == 0, result
    assert result.stdout == '2026-01-02T02:00:00Z\nsucceeded\n'
    assert fake_server.requests[0].query == {'name': ['nightly'],
                                             'limit': ['2']}


def test_cli_show_table_has_the_last_run_as_json(fake_server, env):
    fake_server.add('GET', PATH, body={'scheduled_operation': operation(
        last_run=run())})
    result = cli(env, 'scheduled', 'operation', 'show', OPERATION_ID)
    assert result.code == 0, result
    assert '"state": "succeeded"' in result.stdout
    assert '| last_run_state       | succeeded' in result.stdout


@pytest.mark.parametrize('flag, enabled', [('--enable', True),
                                           ('--disable', False)])
def test_cli_update_enable_disable(fake_server, env, flag, enabled):
    fake_server.add('PUT', PATH, 200, {'scheduled_operation': operation(
        enabled=enabled)})
    result = cli(env, 'scheduled', 'operation', 'update', OPERATION_ID,
                 flag, '--name', 'n2', '-f', 'value', '-c', 'enabled')
    assert result.code == 0, result
    assert result.stdout == '%s\n' % enabled
    assert fake_server.requests[0].json() == {'scheduled_operation': {
        'name': 'n2', 'enabled': enabled}}


def test_cli_update_needs_a_change(fake_server, env):
    result = cli(env, 'scheduled', 'operation', 'update', OPERATION_ID)
    assert result.code == 1
    assert 'Nothing to update' in result.stderr
    assert fake_server.requests == []
    assert cli(env, 'scheduled', 'operation', 'update', OPERATION_ID,
               '--enable', '--disable').code == 2


def test_cli_delete_several(fake_server, env):
    fake_server.add('DELETE', PATH, 204)
    fake_server.add('DELETE', 'scheduled_operations/' + OTHER_ID, 404,
                    error_body('itemNotFound', 404, 'Scheduled operation %s '
                               'could not be found.' % OTHER_ID))
    result = cli(env, 'scheduled', 'operation', 'delete', OPERATION_ID,
                 OTHER_ID)
    assert result.code == 1
    assert ('Failed to delete scheduled operation %s: Scheduled operation '
            '%s could not be found.' % (OTHER_ID, OTHER_ID)) in result.stderr
    assert '1 of 2 scheduled operations could not be deleted' in (
        result.stderr)


def test_cli_runs(fake_server, env):
    fake_server.add('GET', RUNS, body={'runs': [
        run(deleted_checkpoints=[OTHER_ID]),
        run('skipped', id=OTHER_ID, checkpoint_id=None, finished_at=None,
            attempts=0, reason='missed its window')]})
    result = cli(env, 'scheduled', 'operation', 'runs', OPERATION_ID,
                 '--state', 'succeeded', '--limit', '10', '-f', 'csv')
    assert result.code == 0, result
    assert result.stdout.splitlines() == [
        '"ID","Due at","State","Checkpoint ID","Copy ID",'
        '"Deleted checkpoints","Attempts","Finished at","Reason"',
        '"%s","2026-01-01T02:00:00Z","succeeded","%s","","[""%s""]",1,'
        '"2026-01-01T02:00:05Z",""' % (RUN_ID, CHECKPOINT_ID, OTHER_ID),
        '"%s","2026-01-01T02:00:00Z","skipped","","","[]",0,"",'
        '"missed its window"' % OTHER_ID]
    assert fake_server.requests[0].query == {'state': ['succeeded'],
                                             'limit': ['10']}


def test_cli_runs_empty_and_by_name(fake_server, env):
    fake_server.add('GET', 'scheduled_operations', body={'operations': [
        operation()]})
    fake_server.add('GET', RUNS, body={'runs': []})
    result = cli(env, 'scheduled', 'operation', 'runs', 'nightly', '-f',
                 'json')
    assert result.code == 0, result
    assert json.loads(result.stdout) == []
    result = cli(env, 'scheduled', 'operation', 'runs', OPERATION_ID)
    assert (result.code, result.stdout.strip(), result.stderr) == (0, '', '')


def test_cli_runs_bad_state_shows_the_servers_message(fake_server, env):
    message = ('Invalid query parameter: state must be one of claimed, '
               'running, succeeded, failed, skipped')
    fake_server.add('GET', RUNS, 400, error_body(
        'badRequest', 400, message, 'invalid_query_parameter'))
    result = cli(env, 'scheduled', 'operation', 'runs', OPERATION_ID,
                 '--state', 'bogus')
    assert result.code == 1
    assert result.stderr == '%s (HTTP 400) (Request-ID: req-test-1)\n' % (
        message)
