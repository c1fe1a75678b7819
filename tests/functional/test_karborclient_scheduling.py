"""python-karborclient 2.1.0: its trigger and scheduledoperation commands
against the embedded service (whose operation engine runs inside it)."""

import json
import os

import pytest

from tests.functional.conftest import NOOP_PROVIDER_ID
from tests.functional.karborclient import KarborCLI

PROJECT = 'compat-scheduling'


@pytest.fixture(scope='module')
def cli(embedded_server):
    return KarborCLI(embedded_server, project=PROJECT)


@pytest.fixture(scope='module')
def plan_id(embedded_server, cli):
    os.makedirs(os.path.join(embedded_server.state_path, 'data',
                             'scheduled'), exist_ok=True)
    rows = cli.table('protectable-list-instances', 'OS::Karbor::Directory')
    instance = next(row for row in rows if row['Name'] == 'scheduled')
    created = cli.show('plan-create', 'scheduled-plan', NOOP_PROVIDER_ID,
                       '%s=OS::Karbor::Directory=scheduled' % instance['Id'])
    return created['id']


def test_trigger_commands(cli):
    created = cli.show('trigger-create', 'hourly', 'time',
                       'format=crontab,pattern=0 * * * *,window=900')
    trigger_id = created['id']
    assert created['name'] == 'hourly'
    properties = json.loads(created['properties'])
    assert properties['pattern'] == '0 * * * *'
    assert properties['window'] == 900

    rows = cli.table('trigger-list')
    assert [row['Id'] for row in rows] == [trigger_id]
    shown = cli.show('trigger-show', trigger_id)
    assert shown['type'] == 'time'

    # The CLI always sends properties ({} here): a rename.
    renamed = cli.show('trigger-update', trigger_id, '--name', 'every-hour')
    assert renamed['name'] == 'every-hour'
    changed = cli.show('trigger-update', trigger_id, '--properties',
                       'format=calendar,pattern=RRULE:FREQ=DAILY')
    assert json.loads(changed['properties'])['format'] == 'calendar'

    result = cli.run('trigger-create', 'bad', 'time',
                     'format=crontab,pattern=61 * * * *', expect=1)
    assert 'not a valid crontab expression' in result.stderr
    assert '(HTTP 400)' in result.stderr

    # trigger-delete finds triggers by name too.
    cli.run('trigger-delete', 'every-hour')
    result = cli.run('trigger-delete', trigger_id, expect=1)
    assert 'No trigger with a name or ID' in result.stderr


def test_scheduledoperation_commands(cli, plan_id):
    trigger_id = cli.show('trigger-create', 'daily', 'time',
                          'format=crontab,pattern=0 3 * * *')['id']
    created = cli.show(
        'scheduledoperation-create', 'nightly', 'retention_protect',
        trigger_id, 'provider_id=%s,plan_id=%s,max_backups=3,'
        'retention_duration=14' % (NOOP_PROVIDER_ID, plan_id))
    operation_id = created['id']
    definition = json.loads(created['operation_definition'])
    assert definition == {'provider_id': NOOP_PROVIDER_ID,
                          'plan_id': plan_id, 'max_backups': 3,
                          'retention_duration': 14}
    assert created['enabled'] == 'True'

    rows = cli.table('scheduledoperation-list')
    assert [(row['Id'], row['Name']) for row in rows] == [
        (operation_id, 'nightly')]
    filtered = cli.table('scheduledoperation-list', '--operation_definition',
                         'plan_id=%s' % plan_id)
    assert [row['Id'] for row in filtered] == [operation_id]
    shown = cli.show('scheduledoperation-show', operation_id)
    assert shown['trigger_id'] == trigger_id

    # A trigger in use cannot go; the client prints why.
    result = cli.run('trigger-delete', trigger_id, expect=1)
    assert operation_id in result.stderr

    cli.run('scheduledoperation-delete', 'nightly')
    result = cli.run('scheduledoperation-delete', operation_id, expect=1)
    assert 'No scheduledoperation with a name or ID' in result.stderr
    cli.run('trigger-delete', trigger_id)
