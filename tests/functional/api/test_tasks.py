"""Task-Tag: a retried request never runs twice; any outcome is findable."""

import concurrent.futures
import json

import sqlalchemy as sa
import webob

from karbor.db import models
from karbor.db import session as db_session
from tests.functional.api.test_checkpoints import CHECKPOINTS
from tests.functional.api.test_checkpoints import slow_plan
from tests.functional.api.test_checkpoints import wait_for
from tests.functional.api.test_plans import create as create_plan
from tests.functional.api.test_plans import plan_body
from tests.functional.conftest import count_rows


def tagged(tag):
    return {'Task-Tag': tag}


def wait_task(client, task_id, states=('succeeded', 'failed'), timeout=30):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = client.get('/tasks/%s' % task_id, status=200).json['task']
        if task['state'] in states:
            return task
        time.sleep(0.05)
    raise AssertionError('task %s still %s' % (task_id, task['state']))


def test_every_mutation_is_a_task(api, directory):
    response = api.user.post('/plans', plan_body(directory), status=201)
    assert 'Task-Tag' not in response.headers
    task = api.user.get('/tasks/%s' % response.headers['Task-Id'],
                        status=200).json['task']
    plan = response.json['plan']
    assert task['task'] == 'plan-create'
    assert task['state'] == 'succeeded'
    assert task['resource'] == {'plan': plan['id']}
    assert task['request_id'] == response.headers['x-openstack-request-id']
    assert task['tag'] is None
    listed = api.user.get('/plans/%s/tasks' % plan['id']).json['tasks']
    assert [t['id'] for t in listed] == [task['id']]


def test_tagged_plan_create_is_replayed_not_repeated(any_api, directory):
    api = any_api
    first = api.user.post('/plans', plan_body(directory), status=201,
                          headers=tagged('create-plan-1'))
    assert first.headers['Task-Tag'] == 'create-plan-1'
    again = api.user.post('/plans', plan_body(directory), status=201,
                          headers={'task-tag': 'create-plan-1'})
    assert again.headers['Task-Replayed'] == 'true'
    assert again.json == first.json
    assert again.headers['Task-Id'] == first.headers['Task-Id']
    assert count_rows('plans') == 1
    found = api.user.get('/tasks?tag=create-plan-1').json['tasks']
    assert [t['id'] for t in found] == [first.headers['Task-Id']]


def test_same_tag_other_request_is_409(api, directory):
    api.user.post('/plans', plan_body(directory), status=201,
                  headers=tagged('t-1'))
    error = api.user.post('/plans', plan_body(directory, name='other'),
                          status=409, headers=tagged('t-1')).json
    assert error['conflictingRequest']['error_code'] == 'task_tag_mismatch'
    plan_id = api.user.get('/plans').json['plans'][0]['id']
    api.user.delete('/plans/%s' % plan_id, status=409,
                    headers=tagged('t-1'))
    assert count_rows('plans') == 1


def test_refused_requests_are_not_recorded(api, directory):
    bad = plan_body(directory)
    del bad['plan']['name']
    api.user.post('/plans', bad, status=400, headers=tagged('fix-me'))
    assert count_rows('tasks') == 0
    fixed = api.user.post('/plans', plan_body(directory), status=201,
                          headers=tagged('fix-me'))
    assert 'Task-Replayed' not in fixed.headers


def test_tags_are_per_project(api, directory):
    mine = api.user.post('/plans', plan_body(directory), status=201,
                         headers=tagged('shared-tag')).json['plan']
    theirs = api.other.post('/plans', plan_body(directory), status=201,
                            headers=tagged('shared-tag')).json['plan']
    assert mine['id'] != theirs['id']
    assert api.other.get('/tasks?tag=shared-tag').json['tasks'][0][
        'resource'] == {'plan': theirs['id']}
    api.other.get('/tasks/%s' % api.user.get(
        '/tasks?tag=shared-tag').json['tasks'][0]['id'], status=404)


def test_invalid_tags(api, directory):
    for tag in ('', 'x' * 129, 'has space', 'ünïcode', 'a/b'):
        error = api.user.post('/plans', plan_body(directory), status=400,
                              headers=tagged(tag)).json['badRequest']
        assert error['error_code'] == 'invalid_task_tag'
    assert count_rows('plans') == 0


def test_expired_tags_can_be_reused(api, directory):
    api.user.post('/plans', plan_body(directory), status=201,
                  headers=tagged('old'))
    import datetime
    with db_session.writer() as session:
        session.execute(sa.update(models.Task).values(
            expires_at=datetime.datetime(2000, 1, 1)))
    again = api.user.post('/plans', plan_body(directory, name='new'),
                          status=201, headers=tagged('old'))
    assert 'Task-Replayed' not in again.headers
    assert count_rows('plans') == 2


def test_lost_response_recovered_by_tag(api, directory):
    plan = create_plan(api.user, directory)['plan']
    body = {'checkpoint': {'plan_id': plan['id']}}
    # The client sends, and never reads the answer.
    api.user.post(CHECKPOINTS, body, headers=tagged('nightly-0001'))
    [task] = api.user.get('/tasks?tag=nightly-0001').json['tasks']
    assert task['task'] == 'checkpoint-create'
    checkpoint_id = task['resource']['checkpoint']
    done = wait_task(api.user, task['id'])
    assert done['state'] == 'succeeded'
    # A plain retry answers with the checkpoint as it is now.
    replay = api.user.post(CHECKPOINTS, body, status=202,
                           headers=tagged('nightly-0001'))
    assert replay.headers['Task-Replayed'] == 'true'
    assert replay.json['checkpoint']['id'] == checkpoint_id
    assert replay.json['checkpoint']['status'] == 'available'
    assert count_rows('checkpoints') == 1
    tasks = api.user.get('%s/%s/tasks' % (CHECKPOINTS, checkpoint_id)).json
    assert [t['id'] for t in tasks['tasks']] == [task['id']]
    log = api.user.get('/operation_logs').json['operation_logs'][0]
    assert log['task_tag'] == 'nightly-0001'


def test_task_state_follows_the_operation(api, directory):
    plan = slow_plan(api, directory, seconds=1)
    response = api.user.post(CHECKPOINTS,
                             {'checkpoint': {'plan_id': plan['id']}},
                             status=202, headers=tagged('slow'))
    task = api.user.get('/tasks/%s' % response.headers['Task-Id']).json[
        'task']
    assert task['state'] in ('accepted', 'running')
    running = api.user.get('/tasks?state=in:accepted,running').json['tasks']
    assert [t['id'] for t in running] == [task['id']]
    assert wait_task(api.user, task['id'])['state'] == 'succeeded'
    failing = slow_plan(api, directory, fail_with='bad disk')
    response = api.user.post(CHECKPOINTS,
                             {'checkpoint': {'plan_id': failing['id']}},
                             status=202)
    failed = wait_task(api.user, response.headers['Task-Id'])
    assert failed['state'] == 'failed'
    assert 'bad disk' in failed['error']
    assert [t['id'] for t in api.user.get(
        '/tasks?state=failed').json['tasks']] == [failed['id']]
    for query in ('state=done', 'resource=plan', 'since=yesterday',
                  'all_tenants=1', 'colour=red'):
        api.user.get('/tasks?' + query, status=400)


def test_concurrent_identical_requests_execute_once(any_api, directory):
    plan = create_plan(any_api.user, directory)['plan']
    body = json.dumps({'checkpoint': {'plan_id': plan['id']}}).encode()
    app = any_api.testapp.app

    def send(_):
        request = webob.Request.blank(
            '/v1/demo' + CHECKPOINTS, method='POST', body=body,
            headers={'X-Auth-Token': 'demo:demo',
                     'Content-Type': 'application/json',
                     'Task-Tag': 'burst-1'})
        response = request.get_response(app)
        return response.status_int, response.headers, response.body

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(send, range(50)))
    statuses = sorted(status for status, _, _ in results)
    assert set(statuses) <= {202, 409}, statuses
    assert statuses.count(202) >= 1
    for status, headers, answer in results:
        assert headers['Task-Tag'] == 'burst-1'
        if status == 409:
            error = json.loads(answer)['conflictingRequest']
            assert error['error_code'] == 'task_tag_in_progress'
            assert headers['Retry-After'] == '1'
    ids = {json.loads(answer)['checkpoint']['id']
           for status, _, answer in results if status == 202}
    assert len(ids) == 1
    assert count_rows('checkpoints') == 1
    assert count_rows('tasks') == 2   # the plan's and the checkpoint's
    wait_for(any_api.user, '%s/%s' % (CHECKPOINTS, ids.pop()),
             'checkpoint')


def test_purge_expired_tasks(api, directory, database, tmp_path):
    import datetime
    import os
    import subprocess
    import sys
    api.user.post('/plans', plan_body(directory), status=201,
                  headers=tagged('keep'))
    api.user.post('/plans', plan_body(directory, name='b'), status=201,
                  headers=tagged('drop'))
    with db_session.writer() as session:
        session.execute(sa.update(models.Task).where(
            models.Task.tag == 'drop').values(
                expires_at=datetime.datetime(2000, 1, 1)))
    manage = os.path.join(os.path.dirname(sys.executable), 'karbor-manage')
    result = subprocess.run(
        [manage, 'task', 'purge'], capture_output=True, text=True,
        timeout=60, env=dict(os.environ, OS_DATABASE__CONNECTION=database.url,
                             OS_DEFAULT__STATE_PATH=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert 'Purged 1 expired tasks' in result.stdout
    assert [t['tag'] for t in api.user.get('/tasks').json['tasks']] == [
        'keep']


def test_refused_answers_echo_the_tag_and_version(api, directory):
    response = api.user.delete('/plans/no-such-plan', status=404,
                               headers=tagged('gone-1'))
    assert response.headers['Task-Tag'] == 'gone-1'
    assert response.headers['OpenStack-API-Version'] == \
        'data-protection 1.0'
    assert response.json['itemNotFound']['error_code'] == 'plan_not_found'
    assert count_rows('tasks') == 0
    plan = create_plan(api.user, directory)['plan']
    api.user.get('/plans/%s/tasks?resource=plan:other' % plan['id'],
                 status=400)


def test_last_updated_follows_the_operation(api, directory):
    plan = slow_plan(api, directory, seconds=0.5)
    response = api.user.post(CHECKPOINTS,
                             {'checkpoint': {'plan_id': plan['id']}},
                             status=202)
    task = wait_task(api.user, response.headers['Task-Id'])
    checkpoint = api.user.get('%s/%s' % (
        CHECKPOINTS, task['resource']['checkpoint'])).json['checkpoint']
    assert task['last_updated'] >= checkpoint['finished_at']
