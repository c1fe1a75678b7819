"""Triggers and scheduled operations through the real WSGI app."""

import datetime

import pytest

from tests.functional.api.test_plans import create as create_plan
from tests.functional.conftest import NOOP_PROVIDER_ID

HOURLY = {'format': 'crontab', 'pattern': '0 * * * *'}
WEEKLY_ICAL = 'BEGIN:VEVENT\nRRULE:FREQ=WEEKLY;INTERVAL=1;\nEND:VEVENT'


def create_trigger(client, properties=None, status=201, name='hourly'):
    body = {'trigger_info': {'name': name, 'type': 'time',
                             'properties': properties or HOURLY}}
    return client.post('/triggers', body, status=status).json


def schedule(client, trigger_id, plan_id, operation_type='protect',
             status=201, name='nightly', **definition):
    body = {'scheduled_operation': {
        'name': name, 'operation_type': operation_type,
        'trigger_id': trigger_id,
        'operation_definition': dict({'provider_id': NOOP_PROVIDER_ID,
                                      'plan_id': plan_id}, **definition)}}
    return client.post('/scheduled_operations', body, status=status).json


def test_trigger_create_show_list_update_delete(any_api):
    client = any_api.user
    body = {'trigger_info': {'name': 'hourly', 'type': 'time',
                             'properties': HOURLY}}
    response = client.post('/triggers', body, status=201)
    trigger = response.json['trigger_info']
    assert response.headers['Location'].endswith(
        '/v1/%s/triggers/%s' % (client.project_id, trigger['id']))
    assert trigger['type'] == 'time'
    assert trigger['properties']['pattern'] == '0 * * * *'
    assert trigger['properties']['window'] == 1800   # max_window default
    assert trigger['properties']['start_time'].endswith('Z')
    shown = client.get('/triggers/%s' % trigger['id'],
                       status=200).json['trigger_info']
    assert shown == trigger
    listed = client.get('/triggers', status=200).json['triggers']
    assert [t['id'] for t in listed] == [trigger['id']]

    # The legacy CLI always sends properties; {} only renames.
    renamed = client.put('/triggers/%s' % trigger['id'], {
        'trigger_info': {'name': 'renamed', 'properties': {}}},
        status=200).json['trigger_info']
    assert renamed['name'] == 'renamed'
    assert renamed['properties'] == trigger['properties']
    changed = client.put('/triggers/%s' % trigger['id'], {
        'trigger_info': {'properties': {'format': 'calendar',
                                        'pattern': WEEKLY_ICAL,
                                        'window': '900'}}},
        status=200).json['trigger_info']
    assert changed['properties']['format'] == 'calendar'
    assert changed['properties']['window'] == 900
    client.delete('/triggers/%s' % trigger['id'], status=204)
    client.get('/triggers/%s' % trigger['id'], status=404)
    any_api.other.get('/triggers/%s' % trigger['id'], status=404)


@pytest.mark.parametrize('properties, fragment', [
    ({'format': 'crontab', 'pattern': '61 * * * *'}, 'crontab'),
    ({'format': 'crontab', 'pattern': '* * * * *'}, 'interval'),
    ({'format': 'yearly', 'pattern': '0 * * * *'}, 'format'),
    ({'format': 'crontab'}, 'pattern'),
    ({'format': 'crontab', 'pattern': '0 * * * *', 'window': 60},
     'window'),
    ({'format': 'calendar', 'pattern': 'RRULE:FREQ=NEVER'}, 'pattern'),
    # dateutil would search until the year 9999: cut short, still a 400.
    ({'format': 'calendar', 'pattern': 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30'},
     'never'),
    ({'format': 'crontab', 'pattern': '0 * * * *',
      'start_time': 'tomorrow'}, 'start_time'),
])
def test_bad_trigger_properties_are_400_naming_the_problem(
        api, properties, fragment):
    response = create_trigger(api.user, properties, status=400)
    error = response['badRequest']
    assert error['error_code'] in ('invalid_trigger', 'invalid_input')
    assert fragment in error['message']


def test_trigger_list_filters(api):
    create_trigger(api.user, name='a')
    create_trigger(api.user, name='b')
    listed = api.user.get('/triggers?name=b', status=200).json['triggers']
    assert [t['name'] for t in listed] == ['b']
    error = api.user.get('/triggers?type=event',
                         status=400).json['badRequest']
    assert 'type must be one of time' in error['message']
    error = api.user.get('/triggers?properties=window%3D900',
                         status=400).json['badRequest']
    assert 'filter by name or type' in error['message']


def test_unknown_trigger_property_is_400(api):
    error = create_trigger(api.user, dict(HOURLY, every='day'),
                           status=400)['badRequest']
    assert 'every' in error['message']


def test_scheduled_operation_lifecycle(any_api, directory):
    client = any_api.user
    trigger = create_trigger(client)['trigger_info']
    plan = create_plan(client, directory)['plan']
    operation = schedule(client, trigger['id'], plan['id'],
                         'retention_protect', max_backups='3',
                         retention_duration='-1')['scheduled_operation']
    assert operation['enabled'] is True
    assert operation['operation_definition']['max_backups'] == 3
    assert operation['operation_definition']['retention_duration'] == -1
    # Due at the next full hour, within the hour.
    due = datetime.datetime.fromisoformat(operation['next_run_at'])
    now = datetime.datetime.now(datetime.UTC)
    assert (due.minute, due.second) == (0, 0)
    assert now < due <= now + datetime.timedelta(hours=1)
    assert operation['last_run'] is None

    listed = client.get('/scheduled_operations', status=200).json
    assert [o['id'] for o in listed['operations']] == [operation['id']]
    filtered = client.get('/scheduled_operations?operation_type=protect',
                          status=200).json['operations']
    assert filtered == []

    disabled = client.put('/scheduled_operations/%s' % operation['id'], {
        'scheduled_operation': {'enabled': False}},
        status=200).json['scheduled_operation']
    assert disabled['enabled'] is False and disabled['next_run_at'] is None
    enabled = client.put('/scheduled_operations/%s' % operation['id'], {
        'scheduled_operation': {'enabled': True}},
        status=200).json['scheduled_operation']
    assert enabled['next_run_at'] == operation['next_run_at']
    error = client.get('/scheduled_operations/%s/runs?all_tenants=1'
                       % operation['id'], status=400).json['badRequest']
    assert 'per scheduled operation' in error['message']
    assert client.get('/scheduled_operations/%s/runs' % operation['id'],
                      status=200).json == {'runs': []}

    # Neither the trigger nor the plan can go while the operation uses
    # them.
    error = client.delete('/triggers/%s' % trigger['id'],
                          status=409).json['conflictingRequest']
    assert operation['id'] in error['message']
    error = client.delete('/plans/%s' % plan['id'],
                          status=409).json['conflictingRequest']
    assert operation['id'] in error['message']

    client.delete('/scheduled_operations/%s' % operation['id'], status=204)
    client.delete('/triggers/%s' % trigger['id'], status=204)
    client.delete('/plans/%s' % plan['id'], status=204)


def test_legacy_string_operation_definition(api, directory):
    trigger = create_trigger(api.user)['trigger_info']
    plan = create_plan(api.user, directory)['plan']
    body = {'scheduled_operation': {
        'name': 'osc', 'operation_type': 'protect',
        'trigger_id': trigger['id'],
        'operation_definition': 'provider_id=%s,plan_id=%s' % (
            NOOP_PROVIDER_ID, plan['id'])}}
    operation = api.user.post('/scheduled_operations', body,
                              status=201).json['scheduled_operation']
    assert operation['operation_definition'] == {
        'provider_id': NOOP_PROVIDER_ID, 'plan_id': plan['id']}


def test_scheduled_operation_errors(api, directory):
    client = api.user
    trigger = create_trigger(client)['trigger_info']
    plan = create_plan(client, directory)['plan']
    error = schedule(client, trigger['id'], plan['id'], 'protect',
                     status=400, max_backups=3)['badRequest']
    assert 'max_backups' in error['message']
    error = schedule(client, trigger['id'], plan['id'], 'retention_protect',
                     status=400, max_backups='many')['badRequest']
    assert 'max_backups' in error['message']
    schedule(client, trigger['id'], '6b4c2a1e-0000-4000-8000-000000000000',
             status=404)
    schedule(client, '6b4c2a1e-0000-4000-8000-000000000000', plan['id'],
             status=404)
    # Another project's trigger is not found either.
    other_trigger = create_trigger(api.other)['trigger_info']
    schedule(client, other_trigger['id'], plan['id'], status=404)
    # The no-op provider declares no copy destination.
    error = schedule(client, trigger['id'], plan['id'], 'copy',
                     status=400)['badRequest']
    assert 'destination' in error['message']


def test_changing_a_trigger_moves_its_operations(api, directory):
    client = api.user
    trigger = create_trigger(client)['trigger_info']
    plan = create_plan(client, directory)['plan']
    operation = schedule(client, trigger['id'], plan['id'])[
        'scheduled_operation']
    client.put('/triggers/%s' % trigger['id'], {'trigger_info': {
        'properties': {'pattern': '30 4 * * *'}}}, status=200)
    shown = client.get('/scheduled_operations/%s' % operation['id'],
                       status=200).json['scheduled_operation']
    due = datetime.datetime.fromisoformat(shown['next_run_at'])
    assert (due.hour, due.minute) == (4, 30)
    # A pattern that became invalid is refused, and nothing changes.
    client.put('/triggers/%s' % trigger['id'], {'trigger_info': {
        'properties': {'pattern': 'every day'}}}, status=400)
    assert client.get('/triggers/%s' % trigger['id'], status=200).json[
        'trigger_info']['properties']['pattern'] == '30 4 * * *'


def test_legacy_operation_definition_filter(api, directory):
    client = api.user
    trigger = create_trigger(client)['trigger_info']
    plans = [create_plan(client, directory)['plan'] for _ in range(2)]
    operations = [schedule(client, trigger['id'], plan['id'])[
        'scheduled_operation'] for plan in plans]
    listed = client.get('/scheduled_operations?operation_definition='
                        'plan_id%%3D%s' % plans[1]['id'],
                        status=200).json['operations']
    assert [o['id'] for o in listed] == [operations[1]['id']]
    error = client.get('/scheduled_operations?operation_definition='
                       'max_backups%3D3', status=400).json['badRequest']
    assert 'plan_id and provider_id' in error['message']
