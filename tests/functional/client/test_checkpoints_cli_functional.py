"""checkpoint and restore commands, run from the shell against karbor-all."""

import json
import time

import pytest

from tests.functional.client.conftest import DIRECTORY_TYPE
from tests.functional.client.test_cli_functional import assert_one_line_error


def make_plan(cli, provider_id, directory, parameters=None):
    args = ['plan', 'create', 'cp-%d' % time.monotonic_ns(), provider_id,
            '--resource', '%s=%s' % (directory[0], DIRECTORY_TYPE)]
    if parameters:
        args += ['--parameters-json', json.dumps(parameters)]
    return cli.json(*args)


@pytest.fixture
def plans(cli, provider_id, directory):
    created = []

    def make(parameters=None):
        plan = make_plan(cli, provider_id, directory, parameters)
        created.append(plan['id'])
        return plan

    yield make
    for plan_id in created:
        cli.run('plan', 'delete', plan_id, expect=None)


def wait_for_status(cli, provider_id, checkpoint_id, statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        status = cli.run('checkpoint', 'show', provider_id, checkpoint_id,
                         '-f', 'value', '-c', 'status').stdout.strip()
        if status in statuses or time.monotonic() > deadline:
            return status
        time.sleep(0.3)


def test_protect_restore_delete_with_wait(cli, provider_id, plans):
    plan = plans()
    created = cli.json('checkpoint', 'create', provider_id, plan['name'],
                       '--extra-info', 'reason=upgrade',
                       '--extra-info', 'ticket=42', '--wait')
    checkpoint_id = created['id']
    assert created['status'] == 'available'
    assert created['extra_info'] == {'reason': 'upgrade', 'ticket': '42'}
    assert created['protection_plan']['id'] == plan['id']
    assert json.loads(created['resource_graph'])

    listed = cli.json('checkpoint', 'list', provider_id, '--plan',
                      plan['id'])
    assert [(c['ID'], c['Status'], c['Plan name']) for c in listed] == [
        (checkpoint_id, 'available', plan['name'])]
    shown = cli.json('checkpoint', 'show', provider_id, checkpoint_id)
    assert shown['extra_info'] == created['extra_info']
    today = time.strftime('%Y-%m-%d', time.gmtime())
    dated = cli.run('checkpoint', 'list', provider_id, '--plan', plan['id'],
                    '--start-date', today, '--end-date', today,
                    '-f', 'value', '-c', 'ID').stdout.split()
    assert dated == [checkpoint_id]
    assert cli.run('checkpoint', 'list', provider_id, '--plan', plan['id'],
                   '--end-date', '2000-01-01', '-f', 'value').stdout == ''

    restored = cli.json('restore', 'create', provider_id, checkpoint_id,
                        '--parameter', DIRECTORY_TYPE + '=delay_seconds=0',
                        '--wait')
    assert restored['status'] == 'success'
    assert set(restored['resources_status'].values()) == {'available'}
    assert 'restore_auth' not in restored
    restores = cli.json('restore', 'list', '--checkpoint', checkpoint_id)
    assert [r['ID'] for r in restores] == [restored['id']]
    assert cli.json('restore', 'show', restored['id'])['checkpoint_id'] == (
        checkpoint_id)

    deleted = cli.run('checkpoint', 'delete', provider_id, checkpoint_id,
                      '--wait')
    assert deleted.stdout == ''
    assert_one_line_error(cli.run('checkpoint', 'show', provider_id,
                                  checkpoint_id, expect=1), 404)
    gone = cli.json('checkpoint', 'list', provider_id, '--plan', plan['id'],
                    '--status', 'deleted')
    assert [c['ID'] for c in gone] == [checkpoint_id]


def test_failed_checkpoint_with_wait_exits_non_zero(cli, provider_id,
                                                     plans):
    plan = plans({DIRECTORY_TYPE: {'fail_with': 'boom'}})
    result = cli.run('checkpoint', 'create', provider_id, plan['id'],
                     '--wait', expect=1)
    assert result.stdout == ''
    (line,) = result.stderr.strip().splitlines()
    assert "ended in status 'error'" in line and 'boom' in line
    (failed,) = cli.json('checkpoint', 'list', provider_id, '--plan',
                         plan['id'], '--status', 'error')
    shown = cli.json('checkpoint', 'show', provider_id, failed['ID'])
    assert 'boom' in shown['error_info']
    # An error checkpoint cannot be restored, and can be deleted.
    line = assert_one_line_error(cli.run(
        'restore', 'create', provider_id, failed['ID'], expect=1), 409)
    assert 'restore needs it to be available' in line
    cli.run('checkpoint', 'delete', provider_id, failed['ID'], '--wait')


def test_one_protect_per_plan_and_busy_checkpoints(cli, provider_id, plans):
    plan = plans({DIRECTORY_TYPE: {'delay_seconds': 3}})
    checkpoint_id = cli.run('checkpoint', 'create', provider_id, plan['id'],
                            '-f', 'value', '-c', 'id').stdout.strip()
    line = assert_one_line_error(cli.run(
        'checkpoint', 'create', provider_id, plan['id'], expect=1), 409)
    assert 'already being protected' in line
    line = assert_one_line_error(cli.run(
        'checkpoint', 'delete', provider_id, checkpoint_id, expect=1), 409)
    assert 'is protecting' in line
    assert wait_for_status(cli, provider_id, checkpoint_id,
                           ('available', 'error')) == 'available'
    # Once it is done, the plan can be protected again.
    again = cli.json('checkpoint', 'create', provider_id, plan['id'])
    assert again['status'] == 'protecting'
    assert wait_for_status(cli, provider_id, again['id'],
                           ('available', 'error')) == 'available'


def test_failed_restore_with_wait_and_bad_parameters(cli, provider_id,
                                                     plans):
    plan = plans()
    checkpoint_id = cli.json('checkpoint', 'create', provider_id,
                             plan['id'], '--wait')['id']
    result = cli.run('restore', 'create', provider_id, checkpoint_id,
                     '--parameter', DIRECTORY_TYPE + '=fail_with=boom',
                     '--wait', expect=1)
    (line,) = result.stderr.strip().splitlines()
    assert "ended in status 'fail'" in line and 'boom' in line
    (failed,) = cli.json('restore', 'list', '--checkpoint', checkpoint_id,
                         '--status', 'fail')
    shown = cli.json('restore', 'show', failed['ID'])
    assert set(shown['resources_status'].values()) == {'error'}
    assert 'boom' in shown['error_info']
    line = assert_one_line_error(cli.run(
        'restore', 'create', provider_id, checkpoint_id, '--parameter',
        DIRECTORY_TYPE + '=colour=blue', expect=1), 400)
    assert 'colour' in line


def test_reset_state_is_for_administrators(cli, embedded_server,
                                           provider_id, plans):
    plan = plans()
    checkpoint_id = cli.json('checkpoint', 'create', provider_id,
                             plan['id'], '--wait')['id']
    assert_one_line_error(cli.run('checkpoint', 'reset', 'state',
                                  provider_id, checkpoint_id, expect=1), 403)
    # An administrator of the checkpoint's project.
    admin = 'admin:%s' % embedded_server.project_id
    reset = cli.run('checkpoint', 'reset', 'state', provider_id,
                    checkpoint_id, '-f', 'value', '-c', 'status',
                    token=admin)
    assert reset.stdout == 'error\n'
    reset = cli.run('checkpoint', 'reset', 'state', provider_id,
                    checkpoint_id, '--available', '-f', 'value', '-c',
                    'status', token=admin)
    assert reset.stdout == 'available\n'
    every = cli.run('checkpoint', 'list', provider_id, '--all-projects',
                    '-f', 'value', '-c', 'ID',
                    token=embedded_server.admin_token).stdout.split()
    assert checkpoint_id in every


def test_unknown_checkpoint_and_provider(cli, provider_id):
    unknown = '0f4bd0c6-3a7e-4d24-9d0c-7c1b1e1d0a55'
    line = assert_one_line_error(cli.run(
        'checkpoint', 'show', provider_id, unknown, expect=1), 404)
    assert unknown in line
    assert_one_line_error(cli.run('checkpoint', 'list', unknown, expect=1),
                          404)
    assert_one_line_error(cli.run('checkpoint', 'list', provider_id,
                                  '--status', 'bogus', expect=1), 400)
    assert_one_line_error(cli.run('restore', 'show', unknown, expect=1), 404)
