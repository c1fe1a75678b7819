"""Triggers: what the SDK sends, what the CLI does."""

import datetime
import json

import pytest

from karbor.client import exceptions
from karbor.client.v1 import triggers
from tests.unit.client.cli_runner import AUTH_ENV_VARS
from tests.unit.client.cli_runner import run_cli
from tests.unit.client.fake_karbor_server import error_body

TRIGGER_ID = '1bd84f0e-9d8b-4a63-8c36-5b7a3c0d1e21'
OTHER_ID = '7f2e4c1a-6b3d-4e8f-9a0b-1c2d3e4f5a6b'
HOURLY = {'format': 'crontab', 'pattern': '0 * * * *', 'window': 1800,
          'start_time': '2026-01-01T00:00:00Z'}


def trigger(**changes):
    data = {'id': TRIGGER_ID, 'name': 'hourly', 'type': 'time',
            'properties': dict(HOURLY), 'project_id': 'demo',
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
    fake_server.add('POST', 'triggers', 201, {'trigger_info': trigger()})
    created = sdk.triggers.create(
        'hourly', 'crontab', '0 * * * *', window=900, timezone='UTC',
        start_time=datetime.datetime(2030, 1, 31, 2, 0))
    assert isinstance(created, triggers.Trigger)
    assert (created.format, created.pattern, created.window) == (
        'crontab', '0 * * * *', 1800)
    assert created.end_time is None
    assert fake_server.requests[0].json() == {'trigger_info': {
        'name': 'hourly', 'type': 'time', 'properties': {
            'format': 'crontab', 'pattern': '0 * * * *', 'window': 900,
            'timezone': 'UTC', 'start_time': '2030-01-31T02:00:00'}}}


def test_create_with_legacy_properties_under_the_keywords(fake_server, sdk):
    fake_server.add('POST', 'triggers', 201, {'trigger_info': trigger()})
    sdk.triggers.create('t', pattern='0 3 * * *', properties={
        'format': 'crontab', 'pattern': '0 2 * * *'})
    assert fake_server.requests[0].json()['trigger_info']['properties'] == {
        'format': 'crontab', 'pattern': '0 3 * * *'}


def test_update_sends_only_what_changes(fake_server, sdk):
    fake_server.add('PUT', 'triggers/' + TRIGGER_ID, 200,
                    {'trigger_info': trigger(name='renamed')})
    assert sdk.triggers.update(TRIGGER_ID, name='renamed').name == 'renamed'
    sdk.triggers.update(TRIGGER_ID, pattern='0 4 * * *',
                        properties={'end_time': None})
    assert [r.json() for r in fake_server.requests] == [
        {'trigger_info': {'name': 'renamed'}},
        {'trigger_info': {'properties': {'end_time': None,
                                         'pattern': '0 4 * * *'}}}]


def test_list_get_find_delete(fake_server, sdk):
    fake_server.add('GET', 'triggers', body={'triggers': [trigger()]})
    fake_server.add('GET', 'triggers/' + TRIGGER_ID,
                    body={'trigger_info': trigger()})
    fake_server.add('DELETE', 'triggers/' + TRIGGER_ID, 204)
    assert [t.id for t in sdk.triggers.list(name='hourly', type='time',
                                            sort='name:asc')] == [TRIGGER_ID]
    assert fake_server.requests[0].query == {
        'name': ['hourly'], 'type': ['time'], 'sort': ['name:asc']}
    assert sdk.triggers.get(TRIGGER_ID).pattern == '0 * * * *'
    assert sdk.triggers.find('hourly').id == TRIGGER_ID
    assert sdk.triggers.delete(TRIGGER_ID) is None


def test_find_no_match_says_trigger(fake_server, sdk):
    fake_server.add('GET', 'triggers', body={'triggers': []})
    with pytest.raises(exceptions.NotFound,
                       match="No trigger with a name or id of 'x'"):
        sdk.triggers.find('x')


def test_delete_in_use_is_a_conflict(fake_server, sdk):
    fake_server.add('DELETE', 'triggers/' + TRIGGER_ID, 409, error_body(
        'conflictingRequest', 409, 'Trigger %s is used by the scheduled '
        'operations op1; delete them first.' % TRIGGER_ID,
        'trigger_in_use'))
    with pytest.raises(exceptions.Conflict) as info:
        sdk.triggers.delete(TRIGGER_ID)
    assert info.value.error_code == 'trigger_in_use'


# -- CLI --------------------------------------------------------------------

def test_cli_create_options_win_over_legacy_properties(fake_server, env):
    fake_server.add('POST', 'triggers', 201, {'trigger_info': trigger()})
    result = cli(env, 'trigger', 'create', 'hourly', '--property',
                 'format=calendar', '--property', 'window=900', '--format',
                 'crontab', '--pattern', '0 * * * *', '--start-time',
                 '2030-01-31T02:00:00Z', '--end-time', '2031-01-01',
                 '--timezone', 'Europe/Paris', '-f', 'json')
    assert result.code == 0, result
    assert json.loads(result.stdout)['properties'] == HOURLY
    assert fake_server.requests[0].json() == {'trigger_info': {
        'name': 'hourly', 'type': 'time', 'properties': {
            'format': 'crontab', 'pattern': '0 * * * *', 'window': '900',
            'start_time': '2030-01-31T02:00:00Z', 'end_time': '2031-01-01',
            'timezone': 'Europe/Paris'}}}


def test_cli_create_window_is_an_integer(fake_server, env):
    fake_server.add('POST', 'triggers', 201, {'trigger_info': trigger()})
    result = cli(env, 'trigger', 'create', 'h', '--format', 'crontab',
                 '--pattern', '0 * * * *', '--window', '1200', '-f', 'value',
                 '-c', 'id')
    assert result.code == 0, result
    assert result.stdout == TRIGGER_ID + '\n'
    properties = fake_server.requests[0].json()['trigger_info']['properties']
    assert properties['window'] == 1200
    assert cli(env, 'trigger', 'create', 'h', '--window', 'soon').code == 2


def test_cli_create_shows_the_servers_error(fake_server, env):
    message = ("Invalid trigger: pattern '61 * * * *' is not a valid crontab "
               "expression: [61] is not acceptable")
    fake_server.add('POST', 'triggers', 400, error_body(
        'badRequest', 400, message, 'invalid_trigger', 'req-abc'))
    result = cli(env, 'trigger', 'create', 'bad', '--format', 'crontab',
                 '--pattern', '61 * * * *')
    assert result.code == 1
    assert result.stderr == '%s (HTTP 400) (Request-ID: req-test-1)\n' % (
        message)


def test_cli_bad_property_is_refused_before_sending(fake_server, env):
    result = cli(env, 'trigger', 'create', 'bad', '--property', 'window')
    assert result.code == 1
    assert 'KEY=VALUE' in result.stderr
    assert fake_server.requests == []


def test_cli_list(fake_server, env):
    fake_server.add('GET', 'triggers', body={'triggers': [trigger()]})
    result = cli(env, 'trigger', 'list', '--name', 'hourly', '--type', 'time',
                 '--limit', '5', '-f', 'value')
    assert result.code == 0, result
    assert result.stdout == '%s hourly time crontab 0 * * * * 1800\n' % (
        TRIGGER_ID)
    assert fake_server.requests[0].query == {
        'name': ['hourly'], 'type': ['time'], 'limit': ['5']}


def test_cli_show_by_name_renders_properties_as_json(fake_server, env):
    fake_server.add('GET', 'triggers', body={'triggers': [trigger()]})
    result = cli(env, 'trigger', 'show', 'hourly', '-f', 'value', '-c',
                 'properties')
    assert result.code == 0, result
    assert json.loads(result.stdout) == HOURLY


def test_cli_update(fake_server, env):
    fake_server.add('GET', 'triggers', body={'triggers': [trigger()]})
    fake_server.add('PUT', 'triggers/' + TRIGGER_ID, 200,
                    {'trigger_info': trigger(name='renamed')})
    result = cli(env, 'trigger', 'update', 'hourly', '--name', 'renamed',
                 '--pattern', '0 2 * * *', '--window', '900',
                 '--no-end-time', '-f', 'value', '-c', 'name')
    assert result.code == 0, result
    assert result.stdout == 'renamed\n'
    (put,) = fake_server.requests_to('PUT', 'triggers/' + TRIGGER_ID)
    assert put.json() == {'trigger_info': {'name': 'renamed', 'properties': {
        'pattern': '0 2 * * *', 'window': 900, 'end_time': None}}}


@pytest.mark.parametrize('args, fragment', [
    ((), 'Nothing to update'),
    (('--end-time', '2030-01-01', '--no-end-time'), 'contradict'),
])
def test_cli_update_refuses_before_sending(fake_server, env, args,
                                           fragment):
    result = cli(env, 'trigger', 'update', TRIGGER_ID, *args)
    assert result.code == 1
    assert fragment in result.stderr
    assert fake_server.requests == []


def test_cli_delete_one_shows_the_servers_conflict(fake_server, env):
    message = ('Trigger %s is used by the scheduled operations op1; delete '
               'them first.' % TRIGGER_ID)
    fake_server.add('DELETE', 'triggers/' + TRIGGER_ID, 409, error_body(
        'conflictingRequest', 409, message, 'trigger_in_use'))
    result = cli(env, 'trigger', 'delete', TRIGGER_ID)
    assert result.code == 1
    assert result.stderr == '%s (HTTP 409) (Request-ID: req-test-1)\n' % (
        message)


def test_cli_delete_several_reports_each_failure(fake_server, env):
    fake_server.add('DELETE', 'triggers/' + TRIGGER_ID, 204)
    fake_server.add('DELETE', 'triggers/' + OTHER_ID, 404, error_body(
        'itemNotFound', 404, 'Trigger %s could not be found.' % OTHER_ID))
    result = cli(env, 'trigger', 'delete', TRIGGER_ID, OTHER_ID)
    assert result.code == 1
    assert 'Failed to delete trigger %s: Trigger %s could not be found.' % (
        OTHER_ID, OTHER_ID) in result.stderr
    assert '1 of 2 triggers could not be deleted' in result.stderr
    assert len(fake_server.requests) == 2


def test_cli_delete_several_refuses_a_task_tag(fake_server, env):
    result = cli(env, '--task-tag', 't1', 'trigger', 'delete', TRIGGER_ID,
                 OTHER_ID)
    assert result.code == 1
    assert '--task-tag' in result.stderr
    assert fake_server.requests == []
