"""Checkpoints and restores: what the SDK sends, what the CLI does."""

import json

import pytest

from karbor.client import exceptions
from karbor.client import wait
from karbor.client.commands import restores as restore_commands
from karbor.client.v1 import checkpoints
from karbor.client.v1 import restores
from tests.unit.client.cli_runner import AUTH_ENV_VARS
from tests.unit.client.cli_runner import run_cli

PROVIDER_ID = 'b766f37c-d011-4026-8228-28730d734a3f'
PLAN_ID = '6d2dc1e7-5fe5-4b0c-b5b2-5f0e5b0a3f11'
CHECKPOINT_ID = '2468eada-7006-4cf1-99d4-aac27a66e350'
RESTORE_ID = 'f04ef797-9bd4-483c-ab85-6c4b99967a98'
CHECKPOINTS = 'providers/%s/checkpoints' % PROVIDER_ID
DIRECTORY = 'OS::Karbor::Directory'
RESOURCE = {'id': 'r1', 'type': DIRECTORY, 'name': 'web', 'extra_info': None}


def checkpoint(status='protecting', **changes):
    data = {'id': CHECKPOINT_ID, 'project_id': 'demo', 'status': status,
            'protection_plan': {'id': PLAN_ID, 'name': 'nightly',
                                'resources': [RESOURCE],
                                'provider_id': PROVIDER_ID},
            'resource_graph': None, 'extra_info': {}, 'error_info': None,
            'created_at': '2026-01-01T00:00:00Z', 'updated_at': None,
            'finished_at': None}
    data.update(changes)
    return {'checkpoint': data}


def restore(status='in_progress', **changes):
    data = {'id': RESTORE_ID, 'project_id': 'demo',
            'provider_id': PROVIDER_ID, 'checkpoint_id': CHECKPOINT_ID,
            'restore_target': None, 'parameters': {}, 'status': status,
            'resources_status': {}, 'resources_reason': {},
            'error_info': None, 'created_at': '2026-01-01T00:00:00Z',
            'updated_at': None, 'finished_at': None}
    data.update(changes)
    return {'restore': data}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in AUTH_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def fast_polling(monkeypatch):
    # --wait polls every 2 s; the canned answers need no pause.
    kwdefaults = dict(wait.wait_for_status.__kwdefaults__, interval=0.01)
    monkeypatch.setattr(wait.wait_for_status, '__kwdefaults__', kwdefaults)


@pytest.fixture
def env(fake_server):
    return {'KARBOR_ENDPOINT': fake_server.url, 'OS_TOKEN': 'demo:demo'}


def cli(env, *args):
    return run_cli(['--retries', '0'] + list(args), env)


# -- SDK --------------------------------------------------------------------

def test_checkpoint_create_sends_extra_info_with_a_dash(fake_server, sdk):
    fake_server.add('POST', CHECKPOINTS, 202, checkpoint())
    created = sdk.checkpoints.create(PROVIDER_ID, PLAN_ID,
                                     extra_info={'k': 'v'})
    assert isinstance(created, checkpoints.Checkpoint)
    assert (created.status, created.plan_id, created.plan_name,
            created.provider_id) == ('protecting', PLAN_ID, 'nightly',
                                     PROVIDER_ID)
    request = fake_server.requests[0]
    assert request.json() == {'checkpoint': {'plan_id': PLAN_ID,
                                             'extra-info': {'k': 'v'}}}
    assert request.headers['Task-Tag']


def test_checkpoint_create_without_extra_info_sends_null(fake_server, sdk):
    fake_server.add('POST', CHECKPOINTS, 202, checkpoint())
    sdk.checkpoints.create(PROVIDER_ID, PLAN_ID)
    assert fake_server.requests[0].json()['checkpoint']['extra-info'] is None


def test_checkpoint_graph_is_decoded_on_demand(fake_server, sdk):
    graph = [{'0x0': [DIRECTORY, 'r1', 'web', None]}, []]
    fake_server.add('GET', CHECKPOINTS + '/' + CHECKPOINT_ID,
                    body=checkpoint('available',
                                    resource_graph=json.dumps(graph)))
    got = sdk.checkpoints.get(PROVIDER_ID, CHECKPOINT_ID)
    assert isinstance(got.resource_graph, str)
    assert got.graph == graph
    assert checkpoints.Checkpoint(resource_graph=None).graph is None


def test_checkpoint_list_filters_and_dates(fake_server, sdk):
    import datetime
    fake_server.add('GET', CHECKPOINTS, body={'checkpoints': [
        checkpoint('available')['checkpoint']]})
    listed = list(sdk.checkpoints.list(
        PROVIDER_ID, plan_id=PLAN_ID, status='available',
        start_date=datetime.date(2026, 1, 1), end_date='2026-01-31',
        all_tenants=True, sort='created_at:desc', limit=5))
    assert [c.id for c in listed] == [CHECKPOINT_ID]
    assert fake_server.requests[0].query == {
        'plan_id': [PLAN_ID], 'status': ['available'],
        'start_date': ['2026-01-01'], 'end_date': ['2026-01-31'],
        'all_tenants': ['1'], 'sort': ['created_at:desc'], 'limit': ['5']}


def test_checkpoint_delete_returns_the_deleting_checkpoint(fake_server,
                                                           sdk):
    fake_server.add('DELETE', CHECKPOINTS + '/' + CHECKPOINT_ID, 202,
                    checkpoint('deleting'))
    assert sdk.checkpoints.delete(PROVIDER_ID,
                                  CHECKPOINT_ID).status == 'deleting'


def test_checkpoint_delete_conflict_is_typed(fake_server, sdk):
    fake_server.add('DELETE', CHECKPOINTS + '/' + CHECKPOINT_ID, 409,
                    {'conflictingRequest': {
                        'code': 409, 'message': 'is protecting',
                        'error_code': 'invalid_checkpoint_state'}})
    with pytest.raises(exceptions.Conflict) as info:
        sdk.checkpoints.delete(PROVIDER_ID, CHECKPOINT_ID)
    assert info.value.error_code == 'invalid_checkpoint_state'


def test_checkpoint_reset_state(fake_server, sdk):
    fake_server.add('PUT', CHECKPOINTS + '/' + CHECKPOINT_ID, 200,
                    checkpoint('available'))
    reset = sdk.checkpoints.reset_state(PROVIDER_ID, CHECKPOINT_ID,
                                        'available')
    assert reset.status == 'available'
    assert fake_server.requests[0].json() == {
        'os-resetState': {'state': 'available'}}


def test_restore_create_body(fake_server, sdk):
    fake_server.add('POST', 'restores', 202, restore())
    created = sdk.restores.create(
        PROVIDER_ID, CHECKPOINT_ID, restore_target='http://k:5000/v3',
        restore_auth=restores.restore_auth('u', 'p'),
        parameters={DIRECTORY: {'delay_seconds': 1}})
    assert isinstance(created, restores.Restore)
    assert created.status == 'in_progress'
    assert fake_server.requests[0].json() == {'restore': {
        'provider_id': PROVIDER_ID, 'checkpoint_id': CHECKPOINT_ID,
        'restore_target': 'http://k:5000/v3',
        'restore_auth': {'type': 'password', 'username': 'u',
                         'password': 'p'},
        'parameters': {DIRECTORY: {'delay_seconds': 1}}}}


def test_restore_list_and_get(fake_server, sdk):
    fake_server.add('GET', 'restores', body={'restores': [
        restore('success')['restore']]})
    fake_server.add('GET', 'restores/' + RESTORE_ID, body=restore('fail'))
    listed = list(sdk.restores.list(status='success',
                                    checkpoint_id=CHECKPOINT_ID))
    assert [r.status for r in listed] == ['success']
    assert fake_server.requests[0].query == {
        'status': ['success'], 'checkpoint_id': [CHECKPOINT_ID]}
    assert sdk.restores.get(RESTORE_ID).status == 'fail'


@pytest.mark.parametrize('statuses, progress', [
    ({}, None),
    ({'a': 'restoring', 'b': 'available'}, 50),
    ({'a': 'error', 'b': 'available'}, 100),
])
def test_restore_progress(statuses, progress):
    assert restores.Restore(resources_status=statuses).percent_done == progress


# -- CLI --------------------------------------------------------------------

def test_cli_checkpoint_create_resolves_names_and_extra_info(fake_server,
                                                             env):
    fake_server.add('GET', 'providers', body={'providers': [
        {'id': PROVIDER_ID, 'name': 'No-op Provider'}]})
    fake_server.add('GET', 'plans', body={'plans': [
        {'id': PLAN_ID, 'name': 'nightly'}]})
    fake_server.add('POST', CHECKPOINTS, 202, checkpoint())
    result = cli(env, 'checkpoint', 'create', 'No-op Provider', 'nightly',
                 '--extra-info', 'a=1', '--extra-info', 'b=x=y',
                 '-f', 'json')
    assert result.code == 0, result
    assert json.loads(result.stdout)['status'] == 'protecting'
    (post,) = fake_server.requests_to('POST', CHECKPOINTS)
    assert post.json() == {'checkpoint': {
        'plan_id': PLAN_ID, 'extra-info': {'a': '1', 'b': 'x=y'}}}


def test_cli_checkpoint_create_wait_success(fake_server, env):
    fake_server.add('POST', CHECKPOINTS, 202, checkpoint())
    path = CHECKPOINTS + '/' + CHECKPOINT_ID
    fake_server.add('GET', path, body=checkpoint('protecting'))
    fake_server.add('GET', path, body=checkpoint('available'))
    result = cli(env, 'checkpoint', 'create', PROVIDER_ID, PLAN_ID,
                 '--wait', '-f', 'value', '-c', 'status')
    assert result.code == 0, result
    assert result.stdout == 'available\n'
    assert len(fake_server.requests_to('GET', path)) == 2


def test_cli_checkpoint_create_wait_failure_prints_error_info(fake_server,
                                                             env):
    fake_server.add('POST', CHECKPOINTS, 202, checkpoint())
    fake_server.add('GET', CHECKPOINTS + '/' + CHECKPOINT_ID,
                    body=checkpoint('error', error_info='protect: boom'))
    result = cli(env, 'checkpoint', 'create', PROVIDER_ID, PLAN_ID,
                 '--wait')
    assert result.code == 1
    assert result.stdout == ''
    assert result.stderr == ("Checkpoint %s ended in status 'error': "
                             "protect: boom\n" % CHECKPOINT_ID)


def test_cli_checkpoint_create_bad_extra_info_sends_nothing(fake_server,
                                                            env):
    result = cli(env, 'checkpoint', 'create', PROVIDER_ID, PLAN_ID,
                 '--extra-info', 'novalue')
    assert result.code == 1
    assert "--extra-info expects KEY=VALUE, got 'novalue'" in result.stderr
    assert not fake_server.requests


def test_cli_checkpoint_list_filters(fake_server, env):
    fake_server.add('GET', CHECKPOINTS, body={'checkpoints': [
        checkpoint('available')['checkpoint']]})
    result = cli(env, 'checkpoint', 'list', PROVIDER_ID, '--plan', PLAN_ID,
                 '--status', 'available', '--start-date', '2026-01-01',
                 '--end-date', '2026-01-02T00:00:00Z', '--all-projects',
                 '--limit', '3', '--marker', 'm', '--sort', 'created_at',
                 '-f', 'json')
    assert result.code == 0, result
    assert json.loads(result.stdout) == [{
        'ID': CHECKPOINT_ID, 'Status': 'available', 'Plan ID': PLAN_ID,
        'Plan name': 'nightly', 'Created at': '2026-01-01T00:00:00Z',
        'Finished at': None}]
    assert fake_server.requests[0].query == {
        'plan_id': [PLAN_ID], 'status': ['available'],
        'start_date': ['2026-01-01'], 'end_date': ['2026-01-02T00:00:00Z'],
        'all_tenants': ['1'], 'limit': ['3'], 'marker': ['m'],
        'sort': ['created_at']}


def test_cli_checkpoint_show(fake_server, env):
    fake_server.add('GET', CHECKPOINTS + '/' + CHECKPOINT_ID,
                    body=checkpoint('available', extra_info={'k': 'v'}))
    result = cli(env, 'checkpoint', 'show', PROVIDER_ID, CHECKPOINT_ID,
                 '-f', 'json')
    shown = json.loads(result.stdout)
    assert shown['extra_info'] == {'k': 'v'}
    assert shown['protection_plan']['id'] == PLAN_ID


def test_cli_checkpoint_delete_wait_until_gone(fake_server, env):
    path = CHECKPOINTS + '/' + CHECKPOINT_ID
    fake_server.add('DELETE', path, 202, checkpoint('deleting'))
    fake_server.add('GET', path, body=checkpoint('deleting'))
    fake_server.add('GET', path, 404, {'itemNotFound': {
        'code': 404, 'message': 'gone'}})
    result = cli(env, 'checkpoint', 'delete', PROVIDER_ID, CHECKPOINT_ID,
                 '--wait')
    assert result.code == 0, result
    assert result.stdout == ''
    assert len(fake_server.requests_to('GET', path)) == 2


def test_cli_checkpoint_delete_wait_failure(fake_server, env):
    path = CHECKPOINTS + '/' + CHECKPOINT_ID
    fake_server.add('DELETE', path, 202, checkpoint('deleting'))
    fake_server.add('GET', path, body=checkpoint('error-deleting',
                                                 error_info='bank down'))
    result = cli(env, 'checkpoint', 'delete', PROVIDER_ID, CHECKPOINT_ID,
                 '--wait')
    assert result.code == 1
    assert 'error-deleting' in result.stderr
    assert 'bank down' in result.stderr


def test_cli_checkpoint_delete_several_reports_each_failure(fake_server,
                                                            env):
    other = '0f4bd0c6-3a7e-4d24-9d0c-7c1b1e1d0a55'
    fake_server.add('DELETE', CHECKPOINTS + '/' + CHECKPOINT_ID, 202,
                    checkpoint('deleting'))
    fake_server.add('DELETE', CHECKPOINTS + '/' + other, 409,
                    {'conflictingRequest': {'code': 409,
                                            'message': 'is protecting'}})
    result = cli(env, 'checkpoint', 'delete', PROVIDER_ID, CHECKPOINT_ID,
                 other)
    assert result.code == 1
    assert 'Failed to delete checkpoint %s: is protecting' % other in (
        result.stderr)
    assert '1 of 2 checkpoints could not be deleted' in result.stderr


def test_cli_checkpoint_delete_several_refuses_a_task_tag(fake_server, env):
    result = cli(env, '--task-tag', 't', 'checkpoint', 'delete',
                 PROVIDER_ID, CHECKPOINT_ID, 'other')
    assert result.code == 1
    assert not fake_server.requests


@pytest.mark.parametrize('flags, state', [([], 'error'),
                                          (['--error'], 'error'),
                                          (['--available'], 'available')])
def test_cli_checkpoint_reset_state(fake_server, env, flags, state):
    fake_server.add('PUT', CHECKPOINTS + '/' + CHECKPOINT_ID, 200,
                    checkpoint(state))
    result = cli(env, 'checkpoint', 'reset', 'state', PROVIDER_ID,
                 CHECKPOINT_ID, *flags, '-f', 'value', '-c', 'status')
    assert result.code == 0, result
    assert result.stdout == state + '\n'
    assert fake_server.requests[0].json() == {
        'os-resetState': {'state': state}}


def test_cli_checkpoint_reset_state_flags_exclude_each_other(env):
    result = cli(env, 'checkpoint', 'reset', 'state', PROVIDER_ID,
                 CHECKPOINT_ID, '--available', '--error')
    assert result.code == 2


def test_cli_restore_create_with_target_and_parameters(fake_server, env):
    fake_server.add('POST', 'restores', 202, restore())
    result = cli(env, 'restore', 'create', PROVIDER_ID, CHECKPOINT_ID,
                 '--target', 'http://k:5000/v3', '--username', 'u',
                 '--password', 'secret',
                 '--parameters-json', json.dumps({DIRECTORY: {'a': 'x'}}),
                 '--parameter', DIRECTORY + '=delay_seconds=1.5',
                 '--parameter', DIRECTORY + '#r1=note=two words',
                 '-f', 'json')
    assert result.code == 0, result
    assert 'secret' not in result.stdout
    assert fake_server.requests[0].json() == {'restore': {
        'provider_id': PROVIDER_ID, 'checkpoint_id': CHECKPOINT_ID,
        'restore_target': 'http://k:5000/v3',
        'restore_auth': {'type': 'password', 'username': 'u',
                         'password': 'secret'},
        'parameters': {DIRECTORY: {'a': 'x', 'delay_seconds': 1.5},
                       DIRECTORY + '#r1': {'note': 'two words'}}}}


def test_cli_restore_create_wait(fake_server, env):
    fake_server.add('POST', 'restores', 202, restore())
    fake_server.add('GET', 'restores/' + RESTORE_ID, body=restore(
        'in_progress', resources_status={'%s#r1' % DIRECTORY: 'restoring'}))
    fake_server.add('GET', 'restores/' + RESTORE_ID, body=restore(
        'success', resources_status={'%s#r1' % DIRECTORY: 'available'}))
    result = cli(env, 'restore', 'create', PROVIDER_ID, CHECKPOINT_ID,
                 '--wait', '-f', 'value', '-c', 'status')
    assert result.code == 0, result
    assert result.stdout == 'success\n'


def test_cli_restore_create_wait_failure(fake_server, env):
    fake_server.add('POST', 'restores', 202, restore())
    fake_server.add('GET', 'restores/' + RESTORE_ID,
                    body=restore('fail', error_info='restore: nope'))
    result = cli(env, 'restore', 'create', PROVIDER_ID, CHECKPOINT_ID,
                 '--wait')
    assert result.code == 1
    assert result.stderr == ("Restore %s ended in status 'fail': "
                             "restore: nope\n" % RESTORE_ID)


@pytest.mark.parametrize('args, message', [
    (['--username', 'u'], '--username and --password go together'),
    (['--username', 'u', '--password', 'p'], 'give --target too'),
    (['--parameter', 'nokey'], '--parameter expects TYPE[#ID]=KEY=VALUE'),
    (['--parameters-json', '[1]'], 'must be a JSON object'),
    (['--parameters-json', '{'], '--parameters-json is not valid JSON'),
])
def test_cli_restore_create_rejects_bad_input_before_sending(
        fake_server, env, args, message):
    result = cli(env, 'restore', 'create', PROVIDER_ID, CHECKPOINT_ID,
                 *args)
    assert result.code == 1
    assert message in result.stderr
    assert not fake_server.requests


def test_cli_restore_list_and_show(fake_server, env):
    fake_server.add('GET', 'restores', body={'restores': [
        restore('success')['restore']]})
    fake_server.add('GET', 'restores/' + RESTORE_ID,
                    body=restore('success'))
    listed = cli(env, 'restore', 'list', '--status', 'success',
                 '--checkpoint', CHECKPOINT_ID, '--provider', PROVIDER_ID,
                 '-f', 'value', '-c', 'ID', '-c', 'Status')
    assert listed.stdout == '%s success\n' % RESTORE_ID
    assert fake_server.requests[0].query == {
        'status': ['success'], 'checkpoint_id': [CHECKPOINT_ID],
        'provider_id': [PROVIDER_ID]}
    shown = cli(env, 'restore', 'show', RESTORE_ID, '-f', 'json')
    assert json.loads(shown.stdout)['checkpoint_id'] == CHECKPOINT_ID


@pytest.mark.parametrize('text, value', [
    ('1', 1), ('1.5', 1.5), ('true', True), ('"7"', '7'), ('abc', 'abc'),
    ('', ''), ('a=b', 'a=b')])
def test_parameter_values(text, value):
    assert restore_commands.parse_parameter('T=k=' + text) == ('T', 'k',
                                                                value)


def test_wait_failure_carries_the_reason_and_the_resource():
    import io
    import types
    failed = types.SimpleNamespace(status='error', error_info='why')
    with pytest.raises(exceptions.ResourceInErrorState) as info:
        wait.wait_for_status(lambda: failed, stream=io.StringIO(),
                             reason_of=lambda r: r.error_info, label='X')
    assert str(info.value) == "X ended in status 'error': why"
    assert info.value.resource is failed
