"""trigger and scheduled operation commands and the SDK, against
karbor-all."""

import datetime
import os
import pathlib
import subprocess
import time

import pytest

from karbor.client import Client
from karbor.client import exceptions
from karbor.client.v1 import scheduled_operations as sdk_scheduled
from karbor.client.v1 import triggers as sdk_triggers
from tests import services
from tests.functional import conftest as functional_conftest
from tests.functional.client.conftest import CLI
from tests.functional.client.conftest import DIRECTORY_TYPE
from tests.functional.client.conftest import FOREIGN_AUTH_VARS
from tests.functional.client.test_cli_functional import assert_one_line_error

UNKNOWN = '0f4bd0c6-3a7e-4d24-9d0c-7c1b1e1d0a55'
WEEKLY = 'BEGIN:VEVENT\nRRULE:FREQ=WEEKLY;INTERVAL=1;\nEND:VEVENT'


def unique(prefix):
    return '%s-%d' % (prefix, time.monotonic_ns())


@pytest.fixture
def triggers(cli):
    """make(*options) -> a trigger created through the CLI (hourly unless
    told otherwise); those still there are deleted afterwards."""
    created = []

    def make(*options, name=None):
        options = options or ('--format', 'crontab', '--pattern',
                              '0 * * * *')
        trigger = cli.json('trigger', 'create', name or unique('trigger'),
                           *options)
        created.append(trigger['id'])
        return trigger

    yield make
    for trigger_id in created:
        cli.run('trigger', 'delete', trigger_id, expect=None)


@pytest.fixture
def operations(cli):
    """make(name, *options) -> a scheduled operation created through the
    CLI; deleted afterwards (before the plan and trigger fixtures)."""
    created = []

    def make(*options, name=None):
        operation = cli.json('scheduled', 'operation', 'create',
                             name or unique('operation'), *options)
        created.append(operation['id'])
        return operation

    yield make
    for operation_id in created:
        cli.run('scheduled', 'operation', 'delete', operation_id,
                expect=None)


def test_trigger_create_list_show_update_delete(cli, triggers):
    trigger = triggers('--format', 'crontab', '--pattern', '0 2 * * *',
                       '--timezone', 'Europe/Paris', '--window', '900')
    properties = trigger['properties']
    assert trigger['type'] == 'time'
    assert (properties['format'], properties['pattern'],
            properties['timezone'], properties['window']) == (
        'crontab', '0 2 * * *', 'Europe/Paris', 900)
    assert properties['start_time'].endswith('Z')   # filled in by the server

    listed = cli.json('trigger', 'list', '--name', trigger['name'])
    assert listed == [{'ID': trigger['id'], 'Name': trigger['name'],
                       'Type': 'time', 'Format': 'crontab',
                       'Pattern': '0 2 * * *', 'Window': 900}]
    value = cli.run('trigger', 'list', '--name', trigger['name'], '-f',
                    'value', '-c', 'Name', '-c', 'Pattern').stdout
    assert value == '%s 0 2 * * *\n' % trigger['name']
    assert cli.json('trigger', 'show', trigger['name']) == trigger
    # Structures are one line of JSON in a table.
    table = cli.run('trigger', 'show', trigger['id']).stdout
    assert '"timezone": "Europe/Paris"' in table

    # The properties given are merged over the others.
    renamed = unique('renamed')
    updated = cli.json('trigger', 'update', trigger['name'], '--name',
                       renamed, '--pattern', '30 3 * * *', '--end-time',
                       '2099-01-01T00:00:00Z')
    assert updated['name'] == renamed
    assert updated['properties'] == dict(properties, pattern='30 3 * * *',
                                         end_time='2099-01-01T00:00:00Z')
    updated = cli.json('trigger', 'update', renamed, '--no-end-time',
                       '--property', 'window=1200')
    assert updated['properties'] == dict(properties, pattern='30 3 * * *',
                                         window=1200)
    calendar = cli.json('trigger', 'update', trigger['id'], '--format',
                        'calendar', '--pattern', WEEKLY)
    assert calendar['properties']['format'] == 'calendar'

    # The legacy --property spelling; several triggers deleted at once.
    legacy = triggers('--property', 'format=crontab', '--property',
                      'pattern=0 4 * * *', '--property', 'window=1000')
    assert legacy['properties']['window'] == 1000
    result = cli.run('trigger', 'delete', renamed, legacy['id'])
    assert result.stdout == result.stderr == ''
    for trigger_id in (trigger['id'], legacy['id']):
        assert_one_line_error(cli.run('trigger', 'show', trigger_id,
                                      expect=1), 404)


@pytest.mark.parametrize('options, fragment', [
    (('--format', 'crontab', '--pattern', '61 * * * *'),
     "pattern '61 * * * *' is not a valid crontab expression"),
    (('--format', 'crontab', '--pattern', '* * * * *'), 'interval'),
    (('--format', 'yearly', '--pattern', '0 * * * *'), 'format'),
    (('--format', 'crontab', '--pattern', '0 * * * *', '--window', '5'),
     'window must be between'),
    (('--format', 'crontab', '--pattern', '0 * * * *', '--timezone',
      'Mars/Olympus'), 'IANA'),
    (('--property', 'every=day'), 'every'),
])
def test_bad_trigger_shows_the_servers_message(cli, options, fragment):
    line = assert_one_line_error(cli.run('trigger', 'create',
                                         unique('bad'), *options,
                                         expect=1), 400)
    assert fragment in line


def test_trigger_command_errors(cli, triggers):
    assert_one_line_error(cli.run('trigger', 'show', UNKNOWN, expect=1),
                          404)
    result = cli.run('trigger', 'show', unique('nosuch'), expect=1)
    assert 'No trigger with a name or id of' in result.stderr
    trigger = triggers()
    result = cli.run('trigger', 'update', trigger['id'], expect=1)
    assert 'Nothing to update' in result.stderr
    result = cli.run('trigger', 'update', trigger['id'], '--end-time',
                     '2099-01-01', '--no-end-time', expect=1)
    assert 'contradict' in result.stderr
    result = cli.run('trigger', 'create', 'x', '--property', 'window',
                     expect=1)
    assert 'KEY=VALUE' in result.stderr
    # One of several deletes failing: each failure said, exit 1.
    other = triggers()
    result = cli.run('trigger', 'delete', other['id'], UNKNOWN, expect=1)
    assert 'Failed to delete trigger %s' % UNKNOWN in result.stderr
    assert '(HTTP 404)' in result.stderr
    assert '1 of 2 triggers could not be deleted' in result.stderr
    assert_one_line_error(cli.run('trigger', 'show', other['id'],
                                  expect=1), 404)


def test_scheduled_operation_lifecycle(cli, provider_id, plan, triggers,
                                       operations):
    trigger = triggers()
    # --provider defaults to the plan's; the trigger and plan by name.
    operation = operations('--type', 'retention_protect', '--trigger',
                           trigger['name'], '--plan', plan['name'],
                           '--max-backups', '3', '--retention-days', '7',
                           '--description', 'hourly, kept a week')
    assert operation['enabled'] is True
    assert operation['operation_type'] == 'retention_protect'
    assert operation['trigger_id'] == trigger['id']
    assert operation['description'] == 'hourly, kept a week'
    assert operation['operation_definition'] == {
        'provider_id': provider_id, 'plan_id': plan['id'],
        'max_backups': 3, 'retention_duration': 7}
    assert operation['last_run'] is None
    assert operation['last_run_state'] is None
    due = datetime.datetime.fromisoformat(operation['next_run_at'])
    assert (due.minute, due.second) == (0, 0)

    (row,) = cli.json('scheduled', 'operation', 'list', '--plan',
                      plan['name'])
    assert row == {'ID': operation['id'], 'Name': operation['name'],
                   'Type': 'retention_protect', 'Trigger ID': trigger['id'],
                   'Plan ID': plan['id'], 'Enabled': True,
                   'Next run at': operation['next_run_at'],
                   'Last run': None}
    for options in (('--type', 'protect'), ('--disabled',),
                    ('--trigger', UNKNOWN)):
        assert cli.json('scheduled', 'operation', 'list', '--plan',
                        plan['id'], *options) == []
    listed = cli.json('scheduled', 'operation', 'list', '--enabled',
                      '--trigger', trigger['name'], '--provider',
                      provider_id, '--type', 'retention_protect')
    assert [r['ID'] for r in listed] == [operation['id']]
    shown = cli.json('scheduled', 'operation', 'show', operation['name'])
    assert shown == operation
    table = cli.run('scheduled', 'operation', 'show', operation['id']).stdout
    assert 'next_run_at' in table and 'last_run_state' in table

    disabled = cli.json('scheduled', 'operation', 'update', operation['id'],
                        '--disable')
    assert (disabled['enabled'], disabled['next_run_at']) == (False, None)
    (row,) = cli.json('scheduled', 'operation', 'list', '--plan',
                      plan['id'], '--disabled')
    assert (row['Enabled'], row['Next run at']) == (False, None)
    enabled = cli.json('scheduled', 'operation', 'update', operation['name'],
                       '--enable', '--name', 'renamed-' + operation['name'],
                       '--description', 'changed')
    assert enabled['enabled'] is True
    assert enabled['next_run_at'] == operation['next_run_at']
    assert (enabled['name'], enabled['description']) == (
        'renamed-' + operation['name'], 'changed')

    # No run yet: an empty list, cleanly.
    runs = cli.run('scheduled', 'operation', 'runs', operation['id'])
    assert (runs.stdout.strip(), runs.stderr) == ('', '')
    runs = cli.run('scheduled', 'operation', 'runs', operation['id'],
                   '--print-empty').stdout
    assert '| ID ' in runs and '| Due at ' in runs and '| State ' in runs
    assert cli.json('scheduled', 'operation', 'runs', enabled['name'],
                    '--state', 'failed', '--limit', '5') == []

    # The trigger cannot go while the operation uses it; the server says
    # which operation.
    line = assert_one_line_error(cli.run('trigger', 'delete', trigger['id'],
                                         expect=1), 409)
    assert operation['id'] in line and 'delete them first' in line

    cli.run('scheduled', 'operation', 'delete', enabled['name'])
    assert_one_line_error(cli.run('scheduled', 'operation', 'show',
                                  operation['id'], expect=1), 404)
    cli.run('trigger', 'delete', trigger['id'])


def test_scheduled_operation_types_and_disabled(cli, provider_id, plan,
                                                triggers, operations):
    trigger = triggers()
    protect = operations('--type', 'protect', '--trigger', trigger['id'],
                         '--plan', plan['id'], '--provider', 'No-op Provider',
                         '--disabled')
    assert protect['operation_definition'] == {'provider_id': provider_id,
                                               'plan_id': plan['id']}
    assert (protect['enabled'], protect['next_run_at']) == (False, None)
    second = operations('--type', 'protect', '--trigger', trigger['id'],
                        '--plan', plan['id'])
    listed = cli.json('scheduled', 'operation', 'list', '--trigger',
                      trigger['id'], '--sort', 'created_at:asc')
    assert [r['ID'] for r in listed] == [protect['id'], second['id']]
    # Several deleted at once.
    cli.run('scheduled', 'operation', 'delete', protect['id'], second['id'])
    assert cli.json('scheduled', 'operation', 'list', '--trigger',
                    trigger['id']) == []


def test_scheduled_operation_errors(cli, plan, triggers, operations):
    trigger = triggers()
    common = ('--trigger', trigger['id'], '--plan', plan['id'])
    line = assert_one_line_error(cli.run(
        'scheduled', 'operation', 'create', 'bad', '--type', 'protect',
        '--max-backups', '3', *common, expect=1), 400)
    assert 'max_backups' in line
    # The no-op provider declares no copy destination.
    line = assert_one_line_error(cli.run(
        'scheduled', 'operation', 'create', 'bad', '--type', 'copy',
        *common, expect=1), 400)
    assert 'destination' in line
    assert_one_line_error(cli.run(
        'scheduled', 'operation', 'create', 'bad', '--type', 'weekly',
        *common, expect=1), 400)
    line = assert_one_line_error(cli.run(
        'scheduled', 'operation', 'create', 'bad', '--type', 'protect',
        '--trigger', UNKNOWN, '--plan', plan['id'], expect=1), 404)
    assert UNKNOWN in line
    result = cli.run('scheduled', 'operation', 'create', 'bad', '--type',
                     'protect', '--plan', plan['id'], expect=2)
    assert '--trigger' in result.stderr
    assert_one_line_error(cli.run('scheduled', 'operation', 'show',
                                  UNKNOWN, expect=1), 404)
    assert_one_line_error(cli.run('scheduled', 'operation', 'runs',
                                  UNKNOWN, expect=1), 404)
    operation = operations('--type', 'protect', *common)
    line = assert_one_line_error(cli.run(
        'scheduled', 'operation', 'runs', operation['id'], '--state',
        'bogus', expect=1), 400)
    assert 'state must be one of' in line
    result = cli.run('scheduled', 'operation', 'update', operation['id'],
                     expect=1)
    assert 'Nothing to update' in result.stderr
    cli.run('scheduled', 'operation', 'update', operation['id'], '--enable',
            '--disable', expect=2)
    assert_one_line_error(cli.run('scheduled', 'operation', 'list',
                                  '--type', 'weekly', expect=1), 400)


def test_sdk_triggers_and_scheduled_operations(embedded_server, provider_id,
                                               plan):
    sdk = Client(endpoint=embedded_server.url, token=embedded_server.token,
                 project_id=embedded_server.project_id, retries=0)
    name = unique('sdk-trigger')
    trigger = sdk.triggers.create(
        name, 'crontab', '0 1 * * *', window=1000,
        end_time=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))
    try:
        assert isinstance(trigger, sdk_triggers.Trigger)
        assert (trigger.format, trigger.pattern, trigger.window) == (
            'crontab', '0 1 * * *', 1000)
        assert trigger.end_time == '2099-01-01T00:00:00Z'
        assert sdk.triggers.find(name).id == trigger.id
        assert [t.id for t in sdk.triggers.list(name=name)] == [trigger.id]
        changed = sdk.triggers.update(trigger.id, pattern='0 5 * * *',
                                      properties={'end_time': None})
        assert changed.pattern == '0 5 * * *' and changed.end_time is None
        assert changed.window == 1000
        with pytest.raises(exceptions.BadRequest) as info:
            sdk.triggers.create('bad', 'crontab', 'never')
        assert info.value.error_code == 'invalid_trigger'

        operation = sdk.scheduled_operations.create(
            unique('sdk-op'), 'retention_protect', trigger.id, provider_id,
            plan['id'], max_backups=2, retention_duration=0)
        assert isinstance(operation, sdk_scheduled.ScheduledOperation)
        assert operation.plan_id == plan['id']
        assert operation.provider_id == provider_id
        assert operation.latest_run is None
        assert operation.last_run_state is None
        assert operation.next_run_at is not None
        assert sdk.scheduled_operations.disable(operation.id).enabled is False
        assert [o.id for o in sdk.scheduled_operations.list(
            plan_id=plan['id'], enabled=False)] == [operation.id]
        assert list(sdk.scheduled_operations.list(plan_id=plan['id'],
                                                  enabled=True)) == []
        enabled = sdk.scheduled_operations.enable(operation.id)
        assert enabled.next_run_at == operation.next_run_at
        assert sdk.scheduled_operations.find(operation.name).id == \
            operation.id
        assert list(sdk.scheduled_operations.runs(operation.id)) == []
        with pytest.raises(exceptions.Conflict) as info:
            sdk.triggers.delete(trigger.id)
        assert info.value.error_code == 'trigger_in_use'
        sdk.scheduled_operations.delete(operation.id)
        with pytest.raises(exceptions.NotFound):
            sdk.scheduled_operations.get(operation.id)
    finally:
        for each in sdk.scheduled_operations.list(trigger_id=trigger.id):
            sdk.scheduled_operations.delete(each.id)
        sdk.triggers.delete(trigger.id)


# -- real runs: a karbor-all whose engine allows a trigger every minute -----

@pytest.fixture(scope='module')
def minutely_cli(tmp_path_factory):
    """karbor-cli against its own karbor-all, with [operationengine]
    min_interval 60 s and a 1 s poll, so that runs happen within a test."""
    state = tmp_path_factory.mktemp('minutely')
    port = services.free_port()
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_AUTH_VARS}
    env.update({
        'OS_DEFAULT__STATE_PATH': str(state), 'OS_API__PORT': str(port),
        'OS_OPERATIONENGINE__MIN_INTERVAL': '60',
        'OS_OPERATIONENGINE__MIN_WINDOW': '30',
        'OS_OPERATIONENGINE__POLL_INTERVAL': '1',
        'PATH': functional_conftest.BIN + os.pathsep + env.get('PATH', ''),
    })
    log = open(state / 'karbor-all.log', 'wb')
    process = subprocess.Popen(
        [os.path.join(functional_conftest.BIN, 'karbor-all')], env=env,
        stdout=log, stderr=subprocess.STDOUT)
    url = 'http://127.0.0.1:%d' % port
    try:
        functional_conftest.wait_for_http(url + '/', process)
        env.update({'KARBOR_ENDPOINT': url, 'OS_TOKEN': 'demo:demo',
                    'OS_PROJECT_ID': 'demo'})
        (pathlib.Path(state) / 'data' / 'scheduled').mkdir(parents=True)
        yield CLI(None, env)
    finally:
        functional_conftest.stop_process(process)
        log.close()


def wait_for_runs(cli, operation_id, count, timeout=150):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = cli.json('scheduled', 'operation', 'runs', operation_id)
        ended = [r for r in runs if r['State'] in sdk_scheduled.RUN_ENDED]
        if len(ended) >= count:
            return runs
        time.sleep(2)
    raise AssertionError('fewer than %d runs of %s ended in %ds: %r'
                         % (count, operation_id, timeout, runs))


@pytest.mark.slow
def test_runs_of_a_minutely_retention_protect(minutely_cli):
    cli = minutely_cli
    instances = cli.json('protectable', 'instance', 'list', DIRECTORY_TYPE)
    (instance,) = [i for i in instances if i['Name'] == 'scheduled']
    plan = cli.json('plan', 'create', 'minutely', 'No-op Provider',
                    '--resource', '%s=%s' % (instance['ID'], DIRECTORY_TYPE))
    cli.run('trigger', 'create', 'every-minute', '--format', 'crontab',
            '--pattern', '* * * * *', '--window', '30')
    operation = cli.json('scheduled', 'operation', 'create', 'keep-one',
                         '--type', 'retention_protect', '--trigger',
                         'every-minute', '--plan', 'minutely',
                         '--max-backups', '1')
    runs = wait_for_runs(cli, operation['id'], 2)
    # Newest due time first; each made a checkpoint, and the second one
    # deleted the first (max_backups 1).
    newest, older = runs[0], runs[1]
    assert newest['Due at'] > older['Due at']
    assert (newest['State'], older['State']) == ('succeeded', 'succeeded')
    assert newest['Deleted checkpoints'] == [older['Checkpoint ID']]
    assert newest['Attempts'] == 1 and newest['Reason'] is None
    succeeded = cli.json('scheduled', 'operation', 'runs', 'keep-one',
                         '--state', 'succeeded', '--limit', '1')
    assert [r['ID'] for r in succeeded] == [newest['ID']]

    (row,) = cli.json('scheduled', 'operation', 'list')
    assert row['Last run'] in sdk_scheduled.RUN_STATES
    shown = cli.json('scheduled', 'operation', 'show', 'keep-one')
    assert shown['last_run']['state'] == shown['last_run_state']
    assert shown['next_run_at'] > newest['Due at']
    checkpoints = cli.json('checkpoint', 'list', 'No-op Provider', '--plan',
                           plan['id'], '--status', 'available')
    assert older['Checkpoint ID'] not in [c['ID'] for c in checkpoints]

    cli.run('scheduled', 'operation', 'update', 'keep-one', '--disable')
    cli.run('scheduled', 'operation', 'delete', 'keep-one')
    cli.run('trigger', 'delete', 'every-minute')
