"""python-karborclient 2.1.0 against the embedded service.

Users of the old service point the same client at ours: every command of
the foundation must work and print what they expect.
"""

import os

import pytest

from tests.functional.conftest import NOOP_PROVIDER_ID
from tests.functional.karborclient import KarborCLI

# A project of its own: the embedded server is shared with other tests.
PROJECT = 'compat'


@pytest.fixture(scope='module')
def cli(embedded_server):
    return KarborCLI(embedded_server, project=PROJECT)


@pytest.fixture(scope='module')
def instance(embedded_server, cli):
    os.makedirs(os.path.join(embedded_server.state_path, 'data', 'compat'),
                exist_ok=True)
    rows = cli.table('protectable-list-instances', 'OS::Karbor::Directory')
    return next(row for row in rows if row['Name'] == 'compat')


def test_providers(cli):
    rows = cli.table('provider-list')
    # The shipped providers, the no-op one first (ids sort after it).
    assert rows[0]['Id'] == NOOP_PROVIDER_ID
    assert len(rows) >= 4
    shown = cli.show('provider-show', NOOP_PROVIDER_ID)
    assert shown['name'] == 'No-op Provider'
    assert 'options_schema' in shown['extended_info_schema']


def test_protectables(cli, instance):
    assert cli.table('protectable-list') == [
        {'Protectable type': 'OS::Karbor::Directory'},
        {'Protectable type': 'OS::Karbor::MySQLDatabase'},
        {'Protectable type': 'OS::Karbor::PostgreSQLDatabase'}]
    shown = cli.show('protectable-show', 'OS::Karbor::Directory')
    assert shown['name'] == 'OS::Karbor::Directory'
    assert shown['dependent_types'] == '[]'
    assert instance['Type'] == 'OS::Karbor::Directory'
    assert instance['Dependent resources'] == '[]'
    shown = cli.show('protectable-show-instance', 'OS::Karbor::Directory',
                     instance['Id'])
    assert shown['name'] == 'compat'
    filtered = cli.table('protectable-list-instances',
                         'OS::Karbor::Directory', '--parameters',
                         'root=/nonexistent')
    assert filtered == []


def test_plan_lifecycle(cli, instance):
    resource = '%s=OS::Karbor::Directory=compat' % instance['Id']
    created = cli.show('plan-create', 'compat-plan', NOOP_PROVIDER_ID,
                       resource, '--description', 'from the old client')
    plan_id = created['id']
    assert created['status'] == 'suspended'
    assert instance['Id'] in created['resources']

    listed = cli.table('plan-list', '--name', 'compat-plan')
    assert [row['Id'] for row in listed] == [plan_id]
    assert listed[0]['Status'] == 'suspended'

    shown = cli.show('plan-show', plan_id)
    assert shown['description'] == 'from the old client'

    updated = cli.show('plan-update', plan_id, '--name', 'renamed',
                       '--status', 'started')
    assert updated['name'] == 'renamed'
    assert updated['status'] == 'started'
    # plan-update and plan-delete find plans by name too (a 404 on the
    # name, then a list).
    suspended = cli.show('plan-update', 'renamed', '--status', 'suspended')
    assert suspended['id'] == plan_id
    assert suspended['status'] == 'suspended'

    cli.run('plan-delete', 'renamed')
    assert cli.table('plan-list', '--name', 'renamed') == []


def test_plan_list_paging_and_sorting(cli, instance):
    resource = '%s=OS::Karbor::Directory=compat' % instance['Id']
    for name in ('sort-b', 'sort-a', 'sort-c'):
        cli.run('plan-create', name, NOOP_PROVIDER_ID, resource)
    rows = cli.table('plan-list', '--sort', 'name:asc', '--limit', '2')
    assert [row['Name'] for row in rows][:2] == ['sort-a', 'sort-b']
    rows = cli.table('plan-list', '--sort_key', 'name', '--sort_dir', 'desc')
    names = [row['Name'] for row in rows]
    assert names == sorted(names, reverse=True)


def test_services_need_admin(embedded_server, cli):
    result = cli.run('service-list', expect=1)
    assert '(HTTP 403)' in result.stderr
    admin = KarborCLI(embedded_server, token='admin:%s' % PROJECT,
                      project=PROJECT)
    rows = admin.table('service-list')
    assert {'karbor-protection'} <= {row['Binary'] for row in rows}
    assert all(row['State'] == 'up' for row in rows)


def test_errors_are_printed_by_the_client(cli):
    result = cli.run('plan-show', '11111111-2222-3333-4444-555555555555',
                     expect=1)
    assert 'could not be found' in result.stderr or \
        'No plan with a name or ID' in result.stderr
    result = cli.run('plan-create', 'x', NOOP_PROVIDER_ID,
                     '11111111-2222-3333-4444-555555555555='
                     'OS::Karbor::Directory=gone', expect=1)
    assert 'can not be found' in result.stderr
    result = cli.run('protectable-show', 'OS::Nova::Server', expect=1)
    assert 'Protectable type OS::Nova::Server could not be found. ' \
        '(HTTP 404) (Request-ID: req-' in result.stderr


def _wait_status(cli, args, wanted, timeout=90):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = cli.show(*args)
        if shown['status'] in wanted:
            return shown
        time.sleep(0.2)
    raise AssertionError('%s not in %s' % (shown['status'], wanted))


def test_checkpoints_and_restores(embedded_server, cli, instance):
    resource = '%s=OS::Karbor::Directory=compat' % instance['Id']
    plan_id = cli.show('plan-create', 'compat-protect', NOOP_PROVIDER_ID,
                       resource)['id']
    created = cli.show('checkpoint-create', NOOP_PROVIDER_ID, plan_id,
                       '--extra_info', 'team=storage')
    checkpoint_id = created['id']
    shown = _wait_status(cli, ('checkpoint-show', NOOP_PROVIDER_ID,
                               checkpoint_id), ('available', 'error'))
    assert shown['status'] == 'available'
    assert "'team': 'storage'" in shown['extra_info']

    rows = cli.table('checkpoint-list', NOOP_PROVIDER_ID, '--plan_id',
                     plan_id)
    assert [row['Id'] for row in rows] == [checkpoint_id]
    assert 'compat-protect' in rows[0]['Protection plan']

    restore = cli.show('restore-create', NOOP_PROVIDER_ID, checkpoint_id,
                       '--restore_target', 'http://target',
                       '--restore_username', 'u',
                       '--restore_password', 'p4ssw0rd')
    done = _wait_status(cli, ('restore-show', restore['id']),
                        ('success', 'fail'))
    assert done['status'] == 'success'
    assert 'p4ssw0rd' not in str(done)
    # The embedded server is shared with other tests: look for ours.
    assert restore['id'] in [row['Id'] for row in cli.table('restore-list')]

    logs = cli.table('operationlog-list')
    mine = [row for row in logs if row['Checkpoint id'] == checkpoint_id]
    assert sorted((row['Operation Type'], row['Status'])
                  for row in mine) == [('protect', 'available'),
                                       ('restore', 'restored')]
    protect_log = [row for row in mine
                   if row['Operation Type'] == 'protect'][0]
    shown = cli.show('operationlog-show', protect_log['Id'])
    assert shown['checkpoint_id'] == checkpoint_id
    assert shown['status'] == 'available'
    assert cli.table('operationlog-list', '--status', 'error') == []

    admin = KarborCLI(embedded_server, token='admin:%s' % PROJECT,
                      project=PROJECT)
    admin.run('checkpoint-reset-state', NOOP_PROVIDER_ID, checkpoint_id)
    assert cli.show('checkpoint-show', NOOP_PROVIDER_ID,
                    checkpoint_id)['status'] == 'error'

    cli.run('checkpoint-delete', NOOP_PROVIDER_ID, checkpoint_id)
    for _ in range(100):
        rows = cli.table('checkpoint-list', NOOP_PROVIDER_ID, '--plan_id',
                         plan_id)
        if not rows:
            break
        assert rows[0]['Status'] == 'deleting'
    assert rows == []
    result = cli.run('checkpoint-delete', NOOP_PROVIDER_ID, checkpoint_id,
                     expect=1)
    assert 'not found' in result.stdout


def test_verifications(cli, instance):
    resource = '%s=OS::Karbor::Directory=compat' % instance['Id']
    plan_id = cli.show('plan-create', 'compat-verify', NOOP_PROVIDER_ID,
                       resource)['id']
    checkpoint_id = cli.show('checkpoint-create', NOOP_PROVIDER_ID,
                             plan_id)['id']
    assert _wait_status(cli, ('checkpoint-show', NOOP_PROVIDER_ID,
                              checkpoint_id),
                        ('available', 'error'))['status'] == 'available'

    created = cli.show('verification-create', NOOP_PROVIDER_ID,
                       checkpoint_id)
    assert created['checkpoint_id'] == checkpoint_id
    done = _wait_status(cli, ('verification-show', created['id']),
                        ('success', 'fail'))
    assert done['status'] == 'success'
    assert 'available' in done['resources_status']
    # verification-list formats the parameters of every row.
    rows = cli.table('verification-list')
    mine = [row for row in rows if row['Id'] == created['id']]
    assert [row['Status'] for row in mine] == ['success']
    assert [row['Checkpoint id'] for row in mine] == [checkpoint_id]
    assert cli.table('verification-list', '--status', 'fail') == []

    logs = cli.table('operationlog-list')
    assert sorted((row['Operation Type'], row['Status']) for row in logs
                  if row['Checkpoint id'] == checkpoint_id) == [
        ('protect', 'available'), ('verify', 'verified')]


def test_quotas(embedded_server):
    # A project of its own, whose limits this test changes.
    project = 'compat-quota'
    user = KarborCLI(embedded_server, project=project)
    admin = KarborCLI(embedded_server, token='admin:%s' % project,
                      project=project)
    # Without --tenant the old client cannot name the project in this mode
    # (it has no project id): always give it.
    shown = user.show('quota-show', '--tenant', project)
    assert shown == {'id': project, 'plans': '50', 'checkpoints': '-1'}
    assert user.show('quota-defaults', '--tenant', project) == shown
    result = user.run('quota-update', project, '--plans', '7', expect=1)
    assert '(HTTP 403)' in result.stderr

    updated = admin.show('quota-update', project, '--plans', '7')
    assert updated['plans'] == '7'
    assert user.show('quota-show', '--tenant', project)['plans'] == '7'
    detail = user.run('quota-show', '--tenant', project, '--detail').stdout
    assert 'limit = 7' in detail and 'in_use = 0' in detail
    assert 'reserved = 0' in detail

    assert user.show('quota-class-show', 'default') == {
        'id': 'default', 'plans': '50', 'checkpoints': '-1'}
    try:
        shown = admin.show('quota-class-update', 'default', '--plans', '9')
        assert shown['plans'] == '9'
        assert user.show('quota-class-show', 'default')['plans'] == '9'
        assert user.show('quota-defaults', '--tenant', project)[
            'plans'] == '9'
    finally:
        # The embedded server is shared: give the others their default.
        admin.run('quota-class-update', 'default', '--plans', '50')


def test_quota_exceeded_is_printed(embedded_server, instance):
    project = 'compat-quota-full'
    user = KarborCLI(embedded_server, project=project)
    admin = KarborCLI(embedded_server, token='admin:%s' % project,
                      project=project)
    admin.run('quota-update', project, '--plans', '0')
    result = user.run('plan-create', 'over', NOOP_PROVIDER_ID,
                      '%s=OS::Karbor::Directory=compat' % instance['Id'],
                      expect=1)
    assert 'Quota exceeded for plans: limit 0, in use 0, requested 1' in \
        result.stderr
    assert '(HTTP 413)' in result.stderr
