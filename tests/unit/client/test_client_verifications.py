"""Verifications: what the SDK sends, what the CLI does."""

import json

import pytest

from karbor.client import wait
from karbor.client.v1 import verifications
from tests.unit.client.cli_runner import AUTH_ENV_VARS
from tests.unit.client.cli_runner import run_cli

PROVIDER_ID = 'b766f37c-d011-4026-8228-28730d734a3f'
CHECKPOINT_ID = '2468eada-7006-4cf1-99d4-aac27a66e350'
VERIFICATION_ID = '5b1f3c9e-0d0c-4f53-9b8b-0f6f3f1c2a77'
DIRECTORY = 'OS::Karbor::Directory'
KEY = '%s#r1' % DIRECTORY


def verification(status='in_progress', **changes):
    data = {'id': VERIFICATION_ID, 'project_id': 'demo',
            'provider_id': PROVIDER_ID, 'checkpoint_id': CHECKPOINT_ID,
            'parameters': {}, 'status': status, 'resources_status': {},
            'resources_reason': {}, 'error_info': None, 'progress': None,
            'created_at': '2026-01-01T00:00:00Z', 'updated_at': None,
            'finished_at': None}
    data.update(changes)
    return {'verification': data}


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

def test_create_body(fake_server, sdk):
    fake_server.add('POST', 'verifications', 202, verification())
    created = sdk.verifications.create(PROVIDER_ID, CHECKPOINT_ID)
    assert isinstance(created, verifications.Verification)
    assert created.status == 'in_progress'
    assert fake_server.requests[0].json() == {'verification': {
        'provider_id': PROVIDER_ID, 'checkpoint_id': CHECKPOINT_ID,
        'parameters': {}}}


def test_list_and_get(fake_server, sdk):
    fake_server.add('GET', 'verifications', body={'verifications': [
        verification('success')['verification']]})
    fake_server.add('GET', 'verifications/' + VERIFICATION_ID,
                    body=verification('fail', resources_status={KEY: 'error'},
                                      resources_reason={KEY: 'bad'}))
    listed = list(sdk.verifications.list(status='success',
                                         checkpoint_id=CHECKPOINT_ID))
    assert [v.status for v in listed] == ['success']
    assert fake_server.requests[0].query == {
        'status': ['success'], 'checkpoint_id': [CHECKPOINT_ID]}
    shown = sdk.verifications.get(VERIFICATION_ID)
    assert shown.failed_resources == {KEY: 'bad'}


@pytest.mark.parametrize('fields, percent', [
    ({}, None),
    ({'resources_status': {'a': 'verifying', 'b': 'available'}}, 50),
    ({'resources_status': {'a': 'verifying'},
      'progress': {'bytes_done': 3, 'bytes_total': 4}}, 75),
])
def test_percent_done(fields, percent):
    assert verifications.Verification(**fields).percent_done == percent


# -- CLI --------------------------------------------------------------------

def test_cli_create_with_parameters(fake_server, env):
    fake_server.add('POST', 'verifications', 202, verification())
    result = cli(env, 'verification', 'create', PROVIDER_ID, CHECKPOINT_ID,
                 '--parameters-json', json.dumps({DIRECTORY: {'a': 'x'}}),
                 '--parameter', DIRECTORY + '#r1=depth=2', '-f', 'json')
    assert result.code == 0, result
    assert json.loads(result.stdout)['id'] == VERIFICATION_ID
    assert fake_server.requests[0].json() == {'verification': {
        'provider_id': PROVIDER_ID, 'checkpoint_id': CHECKPOINT_ID,
        'parameters': {DIRECTORY: {'a': 'x'}, KEY: {'depth': 2}}}}


def test_cli_create_wait(fake_server, env):
    fake_server.add('POST', 'verifications', 202, verification())
    fake_server.add('GET', 'verifications/' + VERIFICATION_ID,
                    body=verification(resources_status={KEY: 'verifying'}))
    fake_server.add('GET', 'verifications/' + VERIFICATION_ID,
                    body=verification('success',
                                      resources_status={KEY: 'available'}))
    result = cli(env, 'verification', 'create', PROVIDER_ID, CHECKPOINT_ID,
                 '--wait', '-f', 'value', '-c', 'status')
    assert result.code == 0, result
    assert result.stdout == 'success\n'


def test_cli_create_wait_failure_says_why(fake_server, env):
    fake_server.add('POST', 'verifications', 202, verification())
    fake_server.add('GET', 'verifications/' + VERIFICATION_ID,
                    body=verification('fail', error_info='object x changed'))
    result = cli(env, 'verification', 'create', PROVIDER_ID, CHECKPOINT_ID,
                 '--wait')
    assert result.code == 1
    assert result.stderr == ("Verification %s ended in status 'fail': "
                             "object x changed\n" % VERIFICATION_ID)


def test_cli_list_filters(fake_server, env):
    fake_server.add('GET', 'verifications', body={'verifications': [
        verification('fail')['verification']]})
    result = cli(env, 'verification', 'list', '--status', 'fail',
                 '--checkpoint', CHECKPOINT_ID, '--provider', PROVIDER_ID,
                 '-f', 'value', '-c', 'ID', '-c', 'Status')
    assert result.code == 0, result
    assert result.stdout == '%s fail\n' % VERIFICATION_ID
    assert fake_server.requests[0].query == {
        'status': ['fail'], 'checkpoint_id': [CHECKPOINT_ID],
        'provider_id': [PROVIDER_ID]}


def test_cli_show(fake_server, env):
    fake_server.add('GET', 'verifications/' + VERIFICATION_ID,
                    body=verification('success'))
    result = cli(env, 'verification', 'show', VERIFICATION_ID, '-f', 'value',
                 '-c', 'status')
    assert result.code == 0, result
    assert result.stdout == 'success\n'
