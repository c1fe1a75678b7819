"""verification commands and the SDK, run against karbor-all."""

import io
import os

import pytest

from karbor.client import Client
from karbor.client import wait
from karbor.client.v1 import verifications as sdk_verifications
from karbor.protection import checkpoint_store
from karbor.protection import plugin_api
from tests.functional.client import test_checkpoints_cli_functional as cp
from tests.functional.client.conftest import DIRECTORY_TYPE
from tests.functional.client.test_cli_functional import assert_one_line_error

MARKER = 'noop-marker.json'   # what the no-op plugin stores per resource


@pytest.fixture
def plans(cli, provider_id, directory):
    created = []

    def make(parameters=None):
        plan = cp.make_plan(cli, provider_id, directory, parameters)
        created.append(plan['id'])
        return plan

    yield make
    for plan_id in created:
        cli.run('plan', 'delete', plan_id, expect=None)


def marker_path(server, checkpoint_id, resource_id):
    resource = plugin_api.Resource(DIRECTORY_TYPE, resource_id, '', None)
    return os.path.join(server.state_path, 'bank', 'objects',
                        checkpoint_store.resource_prefix(checkpoint_id,
                                                         resource) + MARKER)


def test_verify_with_wait_list_show(cli, embedded_server, provider_id,
                                    plans, directory):
    plan = plans()
    checkpoint_id = cli.json('checkpoint', 'create', provider_id,
                             plan['id'], '--wait')['id']
    done = cli.json('verification', 'create', provider_id, checkpoint_id,
                    '--wait')
    assert done['status'] == 'success'
    key = '%s#%s' % (DIRECTORY_TYPE, directory[0])
    assert done['resources_status'] == {key: 'available'}
    listed = cli.json('verification', 'list', '--checkpoint', checkpoint_id)
    assert [(v['ID'], v['Status']) for v in listed] == [
        (done['id'], 'success')]
    shown = cli.json('verification', 'show', done['id'])
    assert shown['checkpoint_id'] == checkpoint_id
    (log,) = cli.json('operation', 'log', 'list', '--verification',
                      done['id'])
    assert (log['Type'], log['Status']) == ('verify', 'verified')

    # Bit rot in the bank: the next verification fails and says where.
    path = marker_path(embedded_server, checkpoint_id, directory[0])
    before = os.stat(path)
    with open(path, 'r+b') as f:
        f.write(b'#')
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = cli.run('verification', 'create', provider_id, checkpoint_id,
                     '--wait', expect=1)
    (line,) = result.stderr.strip().splitlines()
    assert "ended in status 'fail'" in line and MARKER in line
    (failed,) = cli.json('verification', 'list', '--checkpoint',
                         checkpoint_id, '--status', 'fail')
    shown = cli.json('verification', 'show', failed['ID'])
    assert shown['resources_status'] == {key: 'error'}
    assert MARKER in shown['resources_reason'][key]


def test_verification_errors(cli, provider_id, plans):
    unknown = '0f4bd0c6-3a7e-4d24-9d0c-7c1b1e1d0a55'
    assert_one_line_error(cli.run('verification', 'show', unknown,
                                  expect=1), 404)
    assert_one_line_error(cli.run('verification', 'create', provider_id,
                                  unknown, expect=1), 404)
    plan = plans({DIRECTORY_TYPE: {'delay_seconds': 2}})
    checkpoint_id = cli.run('checkpoint', 'create', provider_id, plan['id'],
                            '-f', 'value', '-c', 'id').stdout.strip()
    line = assert_one_line_error(cli.run(
        'verification', 'create', provider_id, checkpoint_id, expect=1), 409)
    assert 'verify needs it to be available' in line
    assert cp.wait_for_status(cli, provider_id, checkpoint_id,
                           ('available', 'error')) == 'available'
    line = assert_one_line_error(cli.run(
        'verification', 'create', provider_id, checkpoint_id, '--parameter',
        DIRECTORY_TYPE + '=colour=blue', expect=1), 400)
    assert 'colour' in line
    assert_one_line_error(cli.run('verification', 'list', '--status',
                                  'bogus', expect=1), 400)


def test_sdk_verification_with_the_wait_helper(embedded_server, provider_id,
                                               plans):
    sdk = Client(endpoint=embedded_server.url, token=embedded_server.token,
                 project_id=embedded_server.project_id, retries=0)
    plan = plans()
    checkpoint = sdk.checkpoints.create(provider_id, plan['id'])
    wait.wait_for_status(
        lambda: sdk.checkpoints.get(provider_id, checkpoint.id),
        interval=0.2, timeout=60, stream=io.StringIO())
    created = sdk.verifications.create(provider_id, checkpoint.id)
    assert isinstance(created, sdk_verifications.Verification)
    done = wait.wait_for_status(
        lambda: sdk.verifications.get(created.id),
        success=sdk_verifications.SUCCESS, failure=sdk_verifications.FAILURE,
        interval=0.2, timeout=60, stream=io.StringIO())
    assert done.percent_done == 100
    assert done.failed_resources == {}
    assert created.id in [v.id for v in sdk.verifications.list(
        checkpoint_id=checkpoint.id)]
    (task,) = sdk.tasks.list_for_verification(created.id)
    assert task.task == 'verification-create'
