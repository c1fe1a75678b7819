"""Tasks in the SDK and the CLI: listing, finding a tag, Task-Id in
--debug, replays and the tag of a request whose answer was lost."""

import json

import pytest

from karbor.client import exceptions
from karbor.client.v1 import tasks as sdk_tasks
from tests.unit.client.cli_runner import AUTH_ENV_VARS
from tests.unit.client.cli_runner import run_cli

TASK_ID = '0ae0c129-8d54-4c7c-8ae3-7040c8b10029'
PLAN_ID = '2662168b-4dd0-46c0-bd36-830e11491765'
PROVIDER_ID = 'b766f37c-d011-4026-8228-28730d734a3f'
TASK = {'id': TASK_ID, 'uuid': TASK_ID, 'tag': 'nightly-1',
        'task': 'plan-create', 'state': 'succeeded',
        'resource': {'plan': PLAN_ID}, 'request_id': 'req-1',
        'user_id': 'demo', 'project_id': 'demo',
        'start_time': '2026-11-22T07:10:34.350919Z',
        'last_updated': '2026-11-22T07:10:34.411668Z',
        'expires_at': '2026-11-23T07:10:34.343768Z',
        'response_status': 201, 'error': None}
PLAN = {'id': PLAN_ID, 'name': 'nightly', 'description': None,
        'provider_id': PROVIDER_ID, 'status': 'suspended', 'resources': [],
        'parameters': {}, 'project_id': 'demo'}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in AUTH_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def env(fake_server):
    return {'KARBOR_ENDPOINT': fake_server.url, 'OS_TOKEN': 'demo:demo'}


def cli(env, *args):
    return run_cli(['--retries', '0'] + list(args), env)


def test_list_sends_every_filter(fake_server, sdk):
    fake_server.add('GET', 'tasks', body={'tasks': [TASK]})
    listed = list(sdk.tasks.list(
        tag='nightly-1', states=['accepted', 'running'],
        action='plan-create', resource=('plan', PLAN_ID),
        since='2026-11-22T00:00:00Z', until='2026-11-23T00:00:00Z',
        sort='created_at:asc', limit=5))
    assert [t.id for t in listed] == [TASK_ID]
    task = listed[0]
    assert task.task == 'plan-create' and task.finished
    assert (task.resource_type, task.resource_id) == ('plan', PLAN_ID)
    assert task.resource_ref == 'plan:' + PLAN_ID
    assert fake_server.requests[0].query == {
        'tag': ['nightly-1'], 'state': ['in:accepted,running'],
        'action': ['plan-create'], 'resource': ['plan:' + PLAN_ID],
        'since': ['2026-11-22T00:00:00Z'], 'until': ['2026-11-23T00:00:00Z'],
        'sort': ['created_at:asc'], 'limit': ['5']}


def test_state_and_states_are_exclusive(sdk):
    with pytest.raises(ValueError):
        sdk.tasks.list(state='failed', states='accepted,running')


def test_get_and_find(fake_server, sdk):
    fake_server.add('GET', 'tasks/' + TASK_ID, body={'task': TASK})
    assert sdk.tasks.get(TASK_ID).tag == 'nightly-1'
    fake_server.add('GET', 'tasks', body={'tasks': [TASK]})
    assert sdk.tasks.find('nightly-1').id == TASK_ID
    assert fake_server.requests[-1].query == {'tag': ['nightly-1'],
                                              'limit': ['1']}


def test_find_without_a_task_is_none(fake_server, sdk):
    fake_server.add('GET', 'tasks', body={'tasks': []})
    assert sdk.tasks.find('unknown') is None


def test_unknown_fields_are_kept(fake_server, sdk):
    fake_server.add('GET', 'tasks/' + TASK_ID,
                    body={'task': dict(TASK, progress=50)})
    assert sdk.tasks.get(TASK_ID).to_dict()['progress'] == 50


@pytest.mark.parametrize('call, path', [
    (lambda s: s.tasks.list_for_plan(PLAN_ID, state='failed'),
     'plans/%s/tasks' % PLAN_ID),
    (lambda s: s.tasks.list_for_checkpoint(PROVIDER_ID, 'cp1',
                                           state='failed'),
     'providers/%s/checkpoints/cp1/tasks' % PROVIDER_ID),
    (lambda s: s.tasks.list_for_restore('r1', state='failed'),
     'restores/r1/tasks'),
])
def test_tasks_of_a_resource(fake_server, sdk, call, path):
    fake_server.add('GET', path, body={'tasks': [TASK]})
    assert [t.id for t in call(sdk)] == [TASK_ID]
    assert fake_server.requests[0].query == {'state': ['failed']}


def test_last_task_records_the_task_id_and_replay(fake_server, sdk):
    fake_server.add('POST', 'plans', 201, {'plan': PLAN},
                    headers={'Task-Id': TASK_ID, 'Task-Tag': 't1',
                             'Task-Replayed': 'true'})
    assert sdk.last_task is None
    sdk.plans.create('nightly', PROVIDER_ID, [], task_tag='t1')
    assert sdk.last_task == ('%s' % TASK_ID, 't1', True)


def test_connection_failure_of_a_mutation_names_its_tag(fake_server, sdk):
    fake_server.add('DELETE', 'plans/p1', drop=True)
    with pytest.raises(exceptions.ConnectionFailure) as info:
        sdk.plans.delete('p1', task_tag='lost-1')
    assert info.value.task_tag == 'lost-1'
    assert 'its Task-Tag is lost-1' in str(info.value)


def test_connection_failure_of_a_read_has_no_tag(fake_server, sdk):
    fake_server.add('GET', 'plans/p1', drop=True)
    with pytest.raises(exceptions.ConnectionFailure) as info:
        sdk.plans.get('p1')
    assert info.value.task_tag is None
    assert 'Task-Tag' not in str(info.value)


# CLI

def test_task_list_with_filters(fake_server, env):
    fake_server.add('GET', 'tasks', body={'tasks': [TASK]})
    result = cli(env, 'task', 'list', '--tag', 'nightly-1', '--state-in',
                 'accepted,running', '--action', 'plan-create',
                 '--resource', 'plan:' + PLAN_ID, '--since',
                 '2026-11-22T00:00:00Z', '--until', '2026-11-23T00:00:00Z',
                 '--limit', '1', '-f', 'json')
    assert result.code == 0, result
    assert json.loads(result.stdout) == [{
        'ID': TASK_ID, 'Tag': 'nightly-1', 'Task': 'plan-create',
        'State': 'succeeded', 'Resource': 'plan:' + PLAN_ID,
        'Start time': '2026-11-22T07:10:34.350919Z'}]
    assert fake_server.requests[0].query['state'] == ['in:accepted,running']
    assert fake_server.requests[0].query['limit'] == ['1']


def test_task_list_state(fake_server, env):
    fake_server.add('GET', 'tasks', body={'tasks': []})
    assert cli(env, 'task', 'list', '--state', 'failed').code == 0
    assert fake_server.requests[0].query == {'state': ['failed']}


@pytest.mark.parametrize('args', [
    ['--resource', 'plan'], ['--resource', ':x'], ['--state-in', ','],
    ['--since', ' '],
])
def test_task_list_refuses_bad_options_before_sending(fake_server, env,
                                                      args):
    result = cli(env, 'task', 'list', *args)
    assert result.code == 1
    assert fake_server.requests == []
    assert len(result.stderr.strip().splitlines()) == 1


def test_task_list_state_and_state_in_are_exclusive(env):
    result = cli(env, 'task', 'list', '--state', 'failed', '--state-in',
                 'running')
    assert result.code == 2


def test_task_show(fake_server, env):
    fake_server.add('GET', 'tasks/' + TASK_ID, body={'task': TASK})
    shown = json.loads(cli(env, 'task', 'show', TASK_ID, '-f',
                           'json').stdout)
    assert shown['state'] == 'succeeded'
    assert shown['resource'] == {'plan': PLAN_ID}


def test_task_find(fake_server, env):
    fake_server.add('GET', 'tasks', body={'tasks': [TASK]})
    shown = json.loads(cli(env, 'task', 'find', 'nightly-1', '-f',
                           'json').stdout)
    assert shown['id'] == TASK_ID
    assert fake_server.requests[0].query['tag'] == ['nightly-1']


def test_task_find_without_a_task_exits_1(fake_server, env):
    fake_server.add('GET', 'tasks', body={'tasks': []})
    result = cli(env, 'task', 'find', 'unknown')
    assert result.code == 1
    assert result.stdout == ''
    assert result.stderr.startswith('No task has Task-Tag unknown')


def test_debug_shows_the_task_id(fake_server, env):
    fake_server.add('DELETE', 'plans/' + PLAN_ID, 204,
                    headers={'Task-Id': TASK_ID, 'Task-Tag': 'del-1'})
    result = cli(env, '--debug', '--task-tag', 'del-1', 'plan', 'delete',
                 PLAN_ID)
    assert result.code == 0, result
    assert 'Task-Id: %s (Task-Tag: del-1)' % TASK_ID in result.stderr


def test_without_debug_the_task_id_is_not_printed(fake_server, env):
    fake_server.add('DELETE', 'plans/' + PLAN_ID, 204,
                    headers={'Task-Id': TASK_ID})
    result = cli(env, 'plan', 'delete', PLAN_ID)
    assert result.code == 0, result
    assert TASK_ID not in result.stderr


def test_a_replayed_answer_is_noted(fake_server, env):
    fake_server.add('DELETE', 'plans/' + PLAN_ID, 204,
                    headers={'Task-Id': TASK_ID, 'Task-Tag': 'del-1',
                             'Task-Replayed': 'true'})
    result = cli(env, '--task-tag', 'del-1', 'plan', 'delete', PLAN_ID)
    assert result.code == 0, result
    assert result.stderr == (
        'Task-Tag del-1 was already used by task %s: this is its answer '
        '(Task-Replayed), the request was not run again.\n' % TASK_ID)


def test_lost_answer_tells_the_task_tag_to_look_up(fake_server, env):
    fake_server.add('DELETE', 'plans/' + PLAN_ID, drop=True)
    result = run_cli(['--retries', '1', 'plan', 'delete', PLAN_ID], env)
    assert result.code == 1
    requests = fake_server.requests_to('DELETE', 'plans/' + PLAN_ID)
    assert len(requests) == 2
    tag = requests[0].headers['Task-Tag']
    assert requests[1].headers['Task-Tag'] == tag
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert '(after 1 retries)' in lines[0]
    assert lines[0].endswith('its Task-Tag is %s; to see what became of '
                             'it, run: karbor-cli task find %s' % (tag, tag))


def test_lost_answer_with_a_given_task_tag(fake_server, env):
    fake_server.add('DELETE', 'plans/' + PLAN_ID, drop=True)
    result = cli(env, '--task-tag', 'mine-1', 'plan', 'delete', PLAN_ID)
    assert result.code == 1
    assert 'karbor-cli task find mine-1' in result.stderr


def test_sdk_constants_match_the_cli_choices():
    assert set(sdk_tasks.FINAL_STATES) < set(sdk_tasks.STATES)
    assert 'plan-create' in sdk_tasks.ACTIONS
