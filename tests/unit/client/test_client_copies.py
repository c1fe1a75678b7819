"""Copies: what the SDK sends, what the CLI does."""

import json

import pytest

from karbor.client import wait
from karbor.client.v1 import copies
from tests.unit.client.cli_runner import AUTH_ENV_VARS
from tests.unit.client.cli_runner import run_cli

PROVIDER_ID = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
PLAN_ID = '3523a271-68aa-42f5-b9ba-56e5200a2ebb'
COPY_ID = '22b82aa7-9179-4c71-bba2-caf5c0e68db7'
SOURCE_ID = '2468eada-7006-4cf1-99d4-aac27a66e350'
OTHER_SOURCE_ID = '8a7e5b3c-1d2f-4e6a-9b0c-3d4e5f6a7b8c'
ACTION = 'providers/%s/checkpoints/action' % PROVIDER_ID


def pair(source=SOURCE_ID, status='wait_copying', error_info=None):
    return {'source_checkpoint_id': source,
            'copy_checkpoint_id': source[::-1], 'status': status,
            'error_info': error_info}


def copy(status='in_progress', pairs=None, **changes):
    data = {'id': COPY_ID, 'project_id': 'demo', 'provider_id': PROVIDER_ID,
            'plan_id': PLAN_ID, 'destination': 'dr', 'parameters': {},
            'status': status, 'checkpoints': pairs or [pair()],
            'error_info': None, 'progress': None,
            'created_at': '2026-01-01T00:00:00Z', 'updated_at': None,
            'finished_at': None}
    data.update(changes)
    return {'copy': data}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in AUTH_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def fast_polling(monkeypatch):
    kwdefaults = dict(wait.wait_for_status.__kwdefaults__, interval=0.01)
    monkeypatch.setattr(wait.wait_for_status, '__kwdefaults__', kwdefaults)


@pytest.fixture
def env(fake_server):
    return {'KARBOR_ENDPOINT': fake_server.url, 'OS_TOKEN': 'demo:demo'}


def cli(env, *args):
    return run_cli(['--retries', '0'] + list(args), env)


# -- SDK --------------------------------------------------------------------

def test_create_a_plan_copy_sends_only_what_was_given(fake_server, sdk):
    fake_server.add('POST', ACTION, 202, copy())
    created = sdk.copies.create(PROVIDER_ID, PLAN_ID)
    assert isinstance(created, copies.Copy)
    assert created.checkpoints[0]['source_checkpoint_id'] == SOURCE_ID
    assert fake_server.requests[0].json() == {'copy': {
        'plan_id': PLAN_ID, 'parameters': {}}}


def test_create_a_checkpoint_copy_to_a_destination(fake_server, sdk):
    fake_server.add('POST', ACTION, 202, copy())
    sdk.copies.create(PROVIDER_ID, checkpoint_id=SOURCE_ID,
                      destination='dr', parameters={'T': {'a': 1}})
    assert fake_server.requests[0].json() == {'copy': {
        'checkpoint_id': SOURCE_ID, 'destination': 'dr',
        'parameters': {'T': {'a': 1}}}}


def test_list_and_get(fake_server, sdk):
    fake_server.add('GET', 'copies', body={'copies': [
        copy('finished')['copy']]})
    fake_server.add('GET', 'copies/' + COPY_ID, body=copy('error', pairs=[
        pair(status='finished'),
        pair(OTHER_SOURCE_ID, 'error', 'object x is corrupted')]))
    listed = list(sdk.copies.list(plan_id=PLAN_ID, destination='dr'))
    assert [c.status for c in listed] == ['finished']
    assert fake_server.requests[0].query == {
        'plan_id': [PLAN_ID], 'destination': ['dr']}
    shown = sdk.copies.get(COPY_ID)
    assert shown.failed_checkpoints == {
        OTHER_SOURCE_ID: 'object x is corrupted'}


@pytest.mark.parametrize('fields, percent', [
    ({}, None),
    ({'checkpoints': [pair(status='finished'), pair(status='copying')]},
     50),
    ({'checkpoints': [pair(status='copying')],
      'progress': {'bytes_done': 1, 'bytes_total': 4}}, 25),
])
def test_percent_done(fields, percent):
    assert copies.Copy(**fields).percent_done == percent


# -- CLI --------------------------------------------------------------------

def test_cli_copy_needs_a_plan_or_a_checkpoint(fake_server, env):
    result = cli(env, 'checkpoint', 'copy', PROVIDER_ID)
    assert result.code == 1
    assert '--plan' in result.stderr and '--checkpoint' in result.stderr
    assert fake_server.requests == []


def test_cli_copy_wait_reports_the_failed_checkpoints(fake_server, env):
    fake_server.add('POST', ACTION, 202, copy())
    fake_server.add('GET', 'copies/' + COPY_ID, body=copy(pairs=[
        pair(status='copying')]))
    fake_server.add('GET', 'copies/' + COPY_ID, body=copy('error', pairs=[
        pair(status='error', error_info='bank unreachable')]))
    result = cli(env, 'checkpoint', 'copy', PROVIDER_ID, '--plan', PLAN_ID,
                 '--destination', 'dr', '--wait')
    assert result.code == 1
    assert result.stderr == ("Copy %s ended in status 'error': %s: bank "
                             "unreachable\n" % (COPY_ID, SOURCE_ID))
    assert fake_server.requests[0].json() == {'copy': {
        'plan_id': PLAN_ID, 'destination': 'dr', 'parameters': {}}}


def test_cli_copy_wait_success(fake_server, env):
    fake_server.add('POST', ACTION, 202, copy())
    fake_server.add('GET', 'copies/' + COPY_ID, body=copy('finished', pairs=[
        pair(status='finished')]))
    result = cli(env, 'checkpoint', 'copy', PROVIDER_ID, '--checkpoint',
                 SOURCE_ID, '--wait', '-f', 'json')
    assert result.code == 0, result
    shown = json.loads(result.stdout)
    assert shown['status'] == 'finished'
    assert shown['checkpoints'][0]['status'] == 'finished'


def test_cli_list_counts_checkpoints_and_filters(fake_server, env):
    fake_server.add('GET', 'copies', body={'copies': [copy(pairs=[
        pair(), pair(OTHER_SOURCE_ID)])['copy']]})
    result = cli(env, 'copy', 'list', '--status', 'in_progress',
                 '--destination', 'dr', '--plan', PLAN_ID, '-f', 'value',
                 '-c', 'ID', '-c', 'Checkpoints')
    assert result.code == 0, result
    assert result.stdout == '%s 2\n' % COPY_ID
    assert fake_server.requests[0].query == {
        'status': ['in_progress'], 'destination': ['dr'],
        'plan_id': [PLAN_ID]}


def test_cli_show(fake_server, env):
    fake_server.add('GET', 'copies/' + COPY_ID, body=copy('finished'))
    result = cli(env, 'copy', 'show', COPY_ID, '-f', 'value', '-c',
                 'status')
    assert result.code == 0, result
    assert result.stdout == 'finished\n'
