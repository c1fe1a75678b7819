"""operation log commands and checkpoint extra-info, run from the shell
against karbor-all.

The embedded server is shared with other tests, which work in the 'demo'
project: these tests use a project of their own (``oplogcli``, and its
endpoint names it) and filter on their own checkpoints and plans, so they
never depend on what else the server holds.
"""

import time
import uuid

import pytest

from tests.functional.client.conftest import DIRECTORY_TYPE
from tests.functional.client.test_cli_functional import assert_one_line_error

PROJECT = 'oplogcli'
TOKEN = 'oplogcli:oplogcli'
# "admin" is in the noauth admin_users: the admin role, in our project.
ADMIN_TOKEN = 'admin:' + PROJECT


class ProjectCLI:
    """The session's karbor-cli, as a user of our own project."""

    def __init__(self, cli, token):
        self._cli = cli
        self._env = {'KARBOR_ENDPOINT': '%s/v1/%s' % (cli.server.url,
                                                      PROJECT),
                     'OS_PROJECT_ID': PROJECT}
        self._token = token

    def run(self, *args, **kwargs):
        kwargs.setdefault('token', self._token)
        kwargs['env'] = dict(self._env, **kwargs.get('env', {}))
        return self._cli.run(*args, **kwargs)

    def json(self, *args, **kwargs):
        kwargs.setdefault('token', self._token)
        kwargs['env'] = dict(self._env, **kwargs.get('env', {}))
        return self._cli.json(*args, **kwargs)


@pytest.fixture(scope='module')
def user(cli):
    return ProjectCLI(cli, TOKEN)


@pytest.fixture(scope='module')
def admin(cli):
    return ProjectCLI(cli, ADMIN_TOKEN)


@pytest.fixture
def own_plan(user, provider_id, directory):
    plan = user.json('plan', 'create', 'oplog-%d' % time.monotonic_ns(),
                     provider_id, '--resource',
                     '%s=%s' % (directory[0], DIRECTORY_TYPE))
    yield plan
    user.run('plan', 'delete', plan['id'], expect=None)


def log_rows(user, *args):
    return user.json('operation', 'log', 'list', *args)


def test_every_operation_on_a_checkpoint_leaves_one_log(user, admin, cli,
                                                        provider_id,
                                                        own_plan):
    created = user.json('checkpoint', 'create', provider_id, own_plan['id'],
                        '--extra-info', 'reason=oplog-test', '--wait')
    checkpoint_id = created['id']
    assert created['status'] == 'available'
    restored = user.json('restore', 'create', provider_id, checkpoint_id,
                         '--wait')
    failed = user.run('restore', 'create', provider_id, checkpoint_id,
                      '--parameter', DIRECTORY_TYPE + '=fail_with=disk full',
                      '--wait', expect=1)
    assert 'disk full' in failed.stderr
    user.run('checkpoint', 'delete', provider_id, checkpoint_id, '--wait')
    user.run('plan', 'delete', own_plan['id'])

    # Oldest first; the logs outlive their checkpoint and their plan.
    logs = log_rows(user, '--checkpoint', checkpoint_id,
                    '--sort', 'started_at:asc')
    assert [(row['Type'], row['Status']) for row in logs] == [
        ('protect', 'available'), ('restore', 'restored'),
        ('restore', 'error-restoring'), ('delete', 'deleted')]
    assert {row['Plan ID'] for row in logs} == {own_plan['id']}
    assert all(row['Ended at'] for row in logs)
    by_type = {}
    for row in logs:
        by_type.setdefault(row['Type'], []).append(row)
    assert [row['ID'] for row in log_rows(user, '--plan', own_plan['id'])] \
        == [row['ID'] for row in reversed(logs)]     # newest first

    # Filters, each narrowing to what a user would expect.
    restores = log_rows(user, '--checkpoint', checkpoint_id,
                        '--type', 'restore', '--status-in',
                        'restored,error-restoring')
    assert {row['Status'] for row in restores} == {'restored',
                                                   'error-restoring'}
    (failed_row,) = log_rows(user, '--checkpoint', checkpoint_id,
                             '--status', 'error-restoring')
    shown = user.json('operation', 'log', 'show', failed_row['ID'])
    assert shown['operation_type'] == 'restore'
    assert 'disk full' in shown['error_info']
    assert shown['project_id'] == PROJECT
    assert shown['user_id'] == 'oplogcli'
    (restore_row,) = log_rows(user, '--restore', restored['id'])
    assert restore_row['Status'] == 'restored'
    provider_name = cli.json('provider', 'show', provider_id)['name']
    assert len(log_rows(user, '--checkpoint', checkpoint_id, '--provider',
                        provider_name)) == 4

    # Time windows are half-open: [after, before).
    protect_started = by_type['protect'][0]['Started at']
    delete_started = by_type['delete'][0]['Started at']
    window = log_rows(user, '--checkpoint', checkpoint_id,
                      '--started-after', protect_started,
                      '--started-before', delete_started,
                      '--sort', 'started_at:asc')
    assert [row['Type'] for row in window] == ['protect', 'restore',
                                               'restore']
    assert log_rows(user, '--checkpoint', checkpoint_id, '--ended-before',
                    '2000-01-01T00:00:00Z') == []
    assert len(log_rows(user, '--checkpoint', checkpoint_id,
                        '--ended-after', '2000-01-01T00:00:00Z')) == 4

    # --limit follows pages as needed and stops at the limit.
    assert len(log_rows(user, '--checkpoint', checkpoint_id,
                        '--limit', '3')) == 3

    # Through the provider-scoped path.
    through_provider = user.json('operation', 'log', 'show',
                                 failed_row['ID'], '--provider',
                                 provider_id)
    assert through_provider == shown

    # Another project does not see them; an administrator does.
    other = cli.run('operation', 'log', 'show', failed_row['ID'],
                    expect=None)
    assert 'could not be found' in assert_one_line_error(other, 404)
    assert cli.json('operation', 'log', 'list', '--checkpoint',
                    checkpoint_id) == []
    as_admin = cli.json('operation', 'log', 'list', '--project', PROJECT,
                        '--checkpoint', checkpoint_id, token='admin:admin')
    assert {row['Project ID'] for row in as_admin} == {PROJECT}
    assert len(as_admin) == 4
    refused = user.run('operation', 'log', 'list', '--all-projects',
                       expect=None)
    assert_one_line_error(refused, 403)


@pytest.mark.parametrize('args, message', [
    (['--status', 'bogus'], "status 'bogus' is not one of"),
    (['--status-in', 'deleted,bogus'], "status 'bogus' is not one of"),
    (['--started-after', 'yesterday'], 'is not an ISO 8601 time'),
    (['--sort', 'checkpoint_id'], "cannot sort by 'checkpoint_id'"),
])
def test_bad_filters_are_refused_by_the_server(user, args, message):
    result = user.run('operation', 'log', 'list', *args, expect=None)
    assert message in assert_one_line_error(result, 400)


def test_unknown_log_is_not_found(user):
    result = user.run('operation', 'log', 'show', str(uuid.uuid4()),
                      expect=None)
    line = assert_one_line_error(result, 404)
    assert 'Operation log' in line


def test_checkpoint_extra_info_is_kept_and_filtered(user, admin,
                                                    provider_id, own_plan):
    tag = 'run-%s' % uuid.uuid4().hex[:12]
    first = user.json('checkpoint', 'create', provider_id, own_plan['id'],
                      '--extra-info', 'batch=' + tag,
                      '--extra-info', 'x-ci--build=7',
                      '--extra-info', 'note=a:b=c', '--wait')
    assert first['extra_info'] == {'batch': tag, 'x-ci--build': '7',
                                   'note': 'a:b=c'}
    second = user.json('checkpoint', 'create', provider_id, own_plan['id'],
                       '--extra-info', 'batch=' + tag,
                       '--extra-info', 'x-ci--build=8', '--wait')
    shown = user.json('checkpoint', 'show', provider_id, second['id'])
    assert shown['extra_info'] == {'batch': tag, 'x-ci--build': '8'}

    def ids(*filters):
        args = []
        for item in filters:
            args += ['--extra-info', item]
        return sorted(user.run('checkpoint', 'list', provider_id, *args,
                               '-f', 'value', '-c', 'ID').stdout.split())

    assert ids('batch=' + tag) == sorted([first['id'], second['id']])
    assert ids('batch=' + tag, 'x-ci--build=8') == [second['id']]
    assert ids('batch=' + tag, 'note=a:b=c') == [first['id']]
    assert ids('batch=' + tag, 'x-ci--build=9') == []
    assert ids('batch=' + tag + 'x') == []

    # An administrator may set Karbor's own keys; the log of a scheduled
    # protection carries its scheduled operation.
    scheduled_id = str(uuid.uuid4())
    official = admin.json('checkpoint', 'create', provider_id,
                          own_plan['id'], '--extra-info',
                          'karbor-scheduled-operation-id=' + scheduled_id,
                          '--extra-info', 'karbor-created-by=operation-engine',
                          '--wait')
    assert official['extra_info']['karbor-created-by'] == 'operation-engine'
    assert ids('karbor-scheduled-operation-id=' + scheduled_id) == [
        official['id']]
    (scheduled_log,) = log_rows(user, '--scheduled-operation', scheduled_id)
    assert scheduled_log['Checkpoint ID'] == official['id']
    assert scheduled_log['Type'] == 'protect'


@pytest.mark.parametrize('extra_info, status, message', [
    ('karbor-created-by=me', 403, 'checkpoint:set_official_extra_info'),
    ('karbor-owner=me', 400, '"karbor-" keys are reserved'),
    ('x-ci-build=1', 400, 'x-<application>--<key-name>'),
    ('_hidden=1', 400, 'starting with a letter or a digit'),
    ('long=' + 'v' * 1025, 400, 'max_value_length (1024)'),
])
def test_checkpoint_extra_info_rules_are_the_servers(user, provider_id,
                                                     own_plan, extra_info,
                                                     status, message):
    result = user.run('checkpoint', 'create', provider_id, own_plan['id'],
                      '--extra-info', extra_info, expect=None)
    assert message in assert_one_line_error(result, status)
    assert user.json('checkpoint', 'list', provider_id, '--plan',
                     own_plan['id']) == []


def test_bare_extra_info_key_is_refused_before_sending(user, provider_id,
                                                       own_plan):
    result = user.run('checkpoint', 'create', provider_id, own_plan['id'],
                      '--extra-info', 'ticket', expect=1)
    assert result.stderr.strip() == (
        "--extra-info expects KEY=VALUE, got 'ticket': extra-info values "
        "are strings and a key without one is refused; write ticket= for "
        "an empty value")
    assert user.json('checkpoint', 'list', provider_id, '--plan',
                     own_plan['id']) == []
