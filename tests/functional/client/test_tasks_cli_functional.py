"""task list | show | find and --task-tag, run from the shell against
karbor-all, in a project of their own (``taskcli``) so that what the other
tests do in 'demo' never shows up in these lists."""

import json
import time
import uuid

import pytest

from karbor.client import Client
from tests.functional.client.conftest import DIRECTORY_TYPE
from tests.functional.client.test_cli_functional import assert_one_line_error
from tests.functional.client.test_operation_logs_cli_functional import (
    ProjectCLI,
)

PROJECT = 'taskcli'
TOKEN = 'taskcli:taskcli'


class TaskProjectCLI(ProjectCLI):
    def __init__(self, cli):
        super().__init__(cli, TOKEN)
        self._env = {'KARBOR_ENDPOINT': '%s/v1/%s' % (cli.server.url,
                                                      PROJECT),
                     'OS_PROJECT_ID': PROJECT}


@pytest.fixture(scope='module')
def user(cli):
    return TaskProjectCLI(cli)


def new_tag(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:12])


def create_plan_args(name, provider_id, directory):
    return ('plan', 'create', name, provider_id, '--resource',
            '%s=%s' % (directory[0], DIRECTORY_TYPE))


def test_a_tagged_plan_create_sent_twice_creates_one_plan(user, provider_id,
                                                           directory):
    tag = new_tag('plan')
    name = 'task-%d' % time.monotonic_ns()
    args = create_plan_args(name, provider_id, directory)
    first = user.run('--task-tag', tag, *args, '-f', 'json')
    second = user.run('--task-tag', tag, *args, '-f', 'json')
    first_plan, second_plan = json.loads(first.stdout), \
        json.loads(second.stdout)
    assert second_plan['id'] == first_plan['id']
    assert 'replayed' not in first.stderr.lower()
    assert 'Task-Tag %s was already used by task' % tag in second.stderr
    assert 'the request was not run again' in second.stderr
    plans = user.json('plan', 'list', '--name', name)
    assert [p['ID'] for p in plans] == [first_plan['id']]
    task = user.json('task', 'find', tag)
    assert task['task'] == 'plan-create'
    assert task['state'] == 'succeeded'
    assert task['resource'] == {'plan': first_plan['id']}
    assert task['response_status'] == 201
    user.run('plan', 'delete', first_plan['id'])


def test_same_tag_for_another_request_is_refused(user, provider_id,
                                                 directory):
    tag = new_tag('mismatch')
    args = create_plan_args('task-%d' % time.monotonic_ns(), provider_id,
                            directory)
    plan = user.json('--task-tag', tag, *args)
    result = user.run('--task-tag', tag, 'plan', 'delete', plan['id'],
                      expect=1)
    line = assert_one_line_error(result, 409)
    assert 'different request' in line
    user.run('plan', 'show', plan['id'])   # not deleted
    user.run('plan', 'delete', plan['id'])


def test_a_refused_request_leaves_no_task(user):
    tag = new_tag('refused')
    user.run('--task-tag', tag, 'plan', 'delete', str(uuid.uuid4()),
             expect=1)
    result = user.run('task', 'find', tag, expect=1)
    assert result.stderr.startswith('No task has Task-Tag %s' % tag)


def test_invalid_task_tag(user):
    result = user.run('--task-tag', 'bad tag!', 'plan', 'delete',
                      str(uuid.uuid4()), expect=1)
    assert 'is not valid' in assert_one_line_error(result, 400)


def test_list_show_and_the_tasks_of_a_plan(user, provider_id, directory):
    since = time.strftime('%Y-%m-%dT%H:%M:%SZ',
                          time.gmtime(time.time() - 1))
    create_tag, update_tag = new_tag('create'), new_tag('update')
    plan = user.json('--task-tag', create_tag,
                     *create_plan_args('task-%d' % time.monotonic_ns(),
                                       provider_id, directory))
    user.run('--task-tag', update_tag, 'plan', 'update', plan['id'],
             '--name', 'renamed-%d' % time.monotonic_ns())
    resource = 'plan:' + plan['id']
    rows = user.json('task', 'list', '--resource', resource)
    assert [(r['Tag'], r['Task']) for r in rows] == [
        (update_tag, 'plan-update'), (create_tag, 'plan-create')]
    assert {r['State'] for r in rows} == {'succeeded'}
    assert {r['Resource'] for r in rows} == {resource}
    assert user.json('task', 'list', '--resource', resource, '--action',
                     'plan-update', '--since', since)[0]['Tag'] == update_tag
    assert user.json('task', 'list', '--resource', resource, '--state-in',
                     'accepted,running') == []
    assert user.json('task', 'list', '--resource', resource, '--until',
                     since) == []
    page = user.json('task', 'list', '--resource', resource, '--limit', '1')
    assert [r['Tag'] for r in page] == [update_tag]
    after = user.json('task', 'list', '--resource', resource, '--marker',
                      page[0]['ID'])
    assert [r['Tag'] for r in after] == [create_tag]
    shown = user.json('task', 'show', page[0]['ID'])
    assert shown['tag'] == update_tag and shown['project_id'] == PROJECT
    assert shown['expires_at'] > shown['start_time']
    # The same through the SDK, and through the plan's own path.
    client = Client(endpoint=user._cli.server.url, token=TOKEN,
                    project_id=PROJECT)
    assert [t.tag for t in client.tasks.list_for_plan(plan['id'])] == [
        update_tag, create_tag]
    user.run('plan', 'delete', plan['id'])


def test_tasks_are_per_project(user, cli, provider_id, directory):
    tag = new_tag('private')
    plan = user.json('--task-tag', tag,
                     *create_plan_args('task-%d' % time.monotonic_ns(),
                                       provider_id, directory))
    # 'demo' (the session's own project) does not see taskcli's tags.
    cli.run('task', 'find', tag, expect=1)
    user.run('plan', 'delete', plan['id'])


def test_checkpoint_task_follows_its_operation(user, provider_id,
                                               directory):
    plan = user.json(*create_plan_args('task-%d' % time.monotonic_ns(),
                                       provider_id, directory))
    tag = new_tag('checkpoint')
    checkpoint = user.json('--task-tag', tag, 'checkpoint', 'create',
                           provider_id, plan['id'], '--wait')
    assert checkpoint['status'] == 'available'
    task = user.json('task', 'find', tag)
    assert task['task'] == 'checkpoint-create'
    assert task['resource'] == {'checkpoint': checkpoint['id']}
    assert task['response_status'] == 202
    deadline = time.monotonic() + 30
    while task['state'] != 'succeeded' and time.monotonic() < deadline:
        time.sleep(0.2)
        task = user.json('task', 'show', task['id'])
    assert task['state'] == 'succeeded'
    client = Client(endpoint=user._cli.server.url, token=TOKEN,
                    project_id=PROJECT)
    assert [t.tag for t in client.tasks.list_for_checkpoint(
        provider_id, checkpoint['id'])] == [tag]
    user.run('plan', 'delete', plan['id'], expect=None)


def test_debug_shows_the_task_id(user, provider_id, directory):
    tag = new_tag('debug')
    result = user.run('--debug', '--task-tag', tag,
                      *create_plan_args('task-%d' % time.monotonic_ns(),
                                        provider_id, directory),
                      '-f', 'value', '-c', 'id')
    task = user.json('task', 'find', tag)
    assert 'Task-Id: %s (Task-Tag: %s)' % (task['id'], tag) in result.stderr
    user.run('plan', 'delete', result.stdout.strip())
