"""karbor-cli: argument parsing, output formats and one-line errors."""

import argparse
import io
import json
import pathlib
import tomllib

import pytest
import yaml

from karbor.client import commands
from karbor.client import exceptions
from karbor.client import shell
from karbor.client.commands import base as command_base
from tests.unit.client.cli_runner import AUTH_ENV_VARS
from tests.unit.client.cli_runner import run_cli

PLAN_ID = '6d2dc1e7-5fe5-4b0c-b5b2-5f0e5b0a3f11'
PROVIDER_ID = 'b766f37c-d011-4026-8228-28730d734a3f'
RESOURCE = {'id': '/srv', 'type': 'OS::Karbor::Directory', 'name': 'srv'}
PLAN = {'id': PLAN_ID, 'name': 'nightly', 'description': 'd',
        'provider_id': PROVIDER_ID, 'status': 'suspended',
        'resources': [RESOURCE], 'parameters': {}, 'project_id': 'demo',
        'created_at': '2024-01-01T00:00:00Z', 'updated_at': None}
NOT_FOUND = {'itemNotFound': {'code': 404, 'message':
                              'Plan x could not be found.',
                              'error_code': 'plan_not_found'}}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    # keystoneauth reads OS_* from os.environ itself.
    for name in AUTH_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def env(fake_server):
    return {'KARBOR_ENDPOINT': fake_server.url, 'OS_TOKEN': 'demo:demo'}


def cli(env, *args):
    return run_cli(['--retries', '0'] + list(args), env)


@pytest.mark.parametrize('fmt', ['json', 'yaml'])
def test_list_structured_formats(fake_server, env, fmt):
    fake_server.add('GET', 'plans', body={'plans': [PLAN]})
    result = cli(env, 'plan', 'list', '-f', fmt)
    assert result.code == 0, result
    rows = (json.loads if fmt == 'json' else yaml.safe_load)(result.stdout)
    assert rows == [{'ID': PLAN_ID, 'Name': 'nightly', 'Description': 'd',
                     'Provider ID': PROVIDER_ID, 'Status': 'suspended'}]


def test_list_table_and_value(fake_server, env):
    fake_server.add('GET', 'plans', body={'plans': [PLAN]})
    table = cli(env, 'plan', 'list')
    assert '| ID ' in table.stdout and PLAN_ID in table.stdout
    value = cli(env, 'plan', 'list', '-f', 'value', '-c', 'ID', '-c',
                'Status')
    assert value.stdout == '%s suspended\n' % PLAN_ID


@pytest.mark.parametrize('fmt', ['json', 'yaml'])
def test_show_keeps_structures_in_json_and_yaml(fake_server, env, fmt):
    fake_server.add('GET', 'plans/' + PLAN_ID, body={'plan': PLAN})
    result = cli(env, 'plan', 'show', PLAN_ID, '-f', fmt)
    shown = (json.loads if fmt == 'json' else yaml.safe_load)(result.stdout)
    assert shown == PLAN


@pytest.mark.parametrize('fmt', ['table', 'value'])
def test_show_renders_structures_as_json_in_text_formats(fake_server, env,
                                                         fmt):
    fake_server.add('GET', 'plans/' + PLAN_ID, body={'plan': PLAN})
    result = cli(env, 'plan', 'show', PLAN_ID, '-f', fmt)
    assert json.dumps([RESOURCE], sort_keys=True) in result.stdout


def test_list_passes_filters_and_pagination(fake_server, env):
    fake_server.add('GET', 'plans', body={'plans': []})
    result = cli(env, 'plan', 'list', '--name', 'a', '--status', 'started',
                 '--limit', '5', '--marker', 'm', '--sort', 'name:asc',
                 '--all-projects')
    assert result.code == 0, result
    assert fake_server.requests[0].query == {
        'name': ['a'], 'status': ['started'], 'limit': ['5'],
        'marker': ['m'], 'sort': ['name:asc'], 'all_tenants': ['1']}


def test_http_error_is_one_line_with_status_and_request_id(fake_server,
                                                           env):
    fake_server.add('GET', 'plans/' + PLAN_ID, 404, NOT_FOUND)
    fake_server.add('GET', 'plans', body={'plans': []})
    result = cli(env, 'plan', 'show', PLAN_ID)
    assert result.code == 1
    assert result.stdout == ''
    assert result.stderr == ('Plan x could not be found. (HTTP 404) '
                             '(Request-ID: req-test-1)\n')


def test_unreachable_endpoint_is_one_line():
    result = cli({'KARBOR_ENDPOINT': 'http://127.0.0.1:9',
                  'OS_TOKEN': 'demo:demo'}, 'plan', 'list')
    assert result.code == 1
    assert result.stderr == ('Unable to connect to http://127.0.0.1:9/v1/'
                             'demo/plans: Connection refused\n')


def test_missing_endpoint_or_project():
    assert run_cli(['plan', 'list'], {}).stderr == (
        'No endpoint: give --os-endpoint or set KARBOR_ENDPOINT\n')
    result = run_cli(['--os-endpoint', 'http://h', 'plan', 'list'], {})
    assert result.code == 1
    assert result.stderr.startswith('No project id: give project_id')


def test_without_a_token_the_server_401_is_shown(fake_server):
    fake_server.add('GET', 'plans', 401, {'unauthorized': {
        'code': 401, 'message': 'Authentication required.'}})
    result = run_cli(['plan', 'list'], {'KARBOR_ENDPOINT': fake_server.url,
                                        'OS_PROJECT_ID': 'demo'})
    assert result.code == 1
    assert result.stderr == ('Authentication required. (HTTP 401) '
                             '(Request-ID: req-test-1)\n')
    assert 'X-Auth-Token' not in fake_server.requests[0].headers


def test_options_override_environment(fake_server):
    fake_server.add('GET', '/v1/other/plans', body={'plans': []})
    result = run_cli(['--os-endpoint', fake_server.url, '--os-token',
                      'opaque', '--os-project-id', 'other', 'plan', 'list'],
                     {'KARBOR_ENDPOINT': 'http://127.0.0.1:9'})
    assert result.code == 0, result
    assert fake_server.requests[0].headers['X-Auth-Token'] == 'opaque'


def test_noauth_token_names_the_project(fake_server):
    fake_server.add('GET', '/v1/admin/os-services', body={'services': []})
    result = run_cli(['service', 'list'], {
        'KARBOR_ENDPOINT': fake_server.url, 'OS_TOKEN': 'admin:admin',
        'OS_PROJECT_ID': 'demo'})
    assert result.code == 0, result


def test_endpoint_may_hold_the_project(fake_server):
    fake_server.add('GET', '/v1/p2/plans', body={'plans': []})
    result = run_cli(['plan', 'list'], {
        'KARBOR_ENDPOINT': fake_server.url + '/v1/p2', 'OS_TOKEN': 'tok'})
    assert result.code == 0, result


def test_argparse_error_exits_2(env):
    assert cli(env, 'plan', 'show').code == 2


def test_plan_create_parses_resources_and_parameters(fake_server, env):
    fake_server.add('GET', 'protectables/OS::Karbor::Directory/instances/'
                    'i2', body={'instance': {'id': 'i2', 'name': 'from-api',
                                             'type': 'OS::Karbor::Directory'}})
    fake_server.add('POST', 'plans', 201, {'plan': PLAN})
    result = cli(env, 'plan', 'create', 'nightly', PROVIDER_ID,
                 '--resource', '/srv=OS::Karbor::Directory=srv={"a": 1}',
                 '--resource', 'i2=OS::Karbor::Directory',
                 '--parameters-json', '{"OS::Karbor::Directory": {}}',
                 '--description', 'd', '-f', 'json')
    assert result.code == 0, result
    assert json.loads(result.stdout)['id'] == PLAN_ID
    (post,) = fake_server.requests_to('POST', 'plans')
    assert post.json() == {'plan': {
        'name': 'nightly', 'provider_id': PROVIDER_ID, 'description': 'd',
        'parameters': {'OS::Karbor::Directory': {}},
        'resources': [dict(RESOURCE, extra_info={'a': 1}),
                      {'id': 'i2', 'type': 'OS::Karbor::Directory',
                       'name': 'from-api'}]}}


@pytest.mark.parametrize('args,message', [
    (['--resource', 'only-an-id'], '--resource expects ID=TYPE'),
    (['--resource', 'a=T=n={bad'], '--resource extra info is not valid'),
    (['--resource', 'a=T=n', '--parameters-json', '['],
     '--parameters-json is not valid JSON'),
])
def test_plan_create_rejects_bad_input_before_sending(fake_server, env,
                                                      args, message):
    result = cli(env, 'plan', 'create', 'n', PROVIDER_ID, *args)
    assert result.code == 1
    assert result.stderr.startswith(message)
    assert fake_server.requests == []


def test_plan_update_by_name(fake_server, env):
    fake_server.add('GET', 'plans', body={'plans': [PLAN]})
    fake_server.add('PUT', 'plans/' + PLAN_ID, body={'plan': PLAN})
    result = cli(env, 'plan', 'update', 'nightly', '--status', 'started')
    assert result.code == 0, result
    assert fake_server.requests[0].query['name'] == ['nightly']
    assert fake_server.requests[1].json() == {'plan': {'status': 'started'}}


def test_plan_update_needs_a_change(env):
    result = cli(env, 'plan', 'update', PLAN_ID)
    assert result.code == 1
    assert result.stderr.startswith('Nothing to update')


def test_task_tag_option_is_sent(fake_server, env):
    fake_server.add('DELETE', 'plans/' + PLAN_ID, 204)
    result = cli(env, '--task-tag', 'tag-1', 'plan', 'delete', PLAN_ID)
    assert result.code == 0, result
    assert fake_server.requests[0].headers['Task-Tag'] == 'tag-1'


def test_task_tag_refused_for_several_deletes(fake_server, env):
    result = cli(env, '--task-tag', 't', 'plan', 'delete', PLAN_ID, PLAN_ID)
    assert result.code == 1
    assert fake_server.requests == []


def test_delete_several_reports_each_failure(fake_server, env):
    other = '0f4bd0c6-3a7e-4d24-9d0c-7c1b1e1d0a55'
    fake_server.add('DELETE', 'plans/' + PLAN_ID, 204)
    fake_server.add('DELETE', 'plans/' + other, 404, NOT_FOUND)
    result = cli(env, 'plan', 'delete', PLAN_ID, other)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        'Failed to delete plan %s: Plan x could not be found. (HTTP 404) '
        '(Request-ID: req-test-1)' % other,
        '1 of 2 plans could not be deleted']


def test_service_disable_with_reason(fake_server, env):
    fake_server.add('PUT', 'os-services/3', body={'service': {
        'id': 3, 'status': 'disabled', 'disabled_reason': 'upgrade'}})
    result = cli(env, 'service', 'disable', '3', '--reason', 'upgrade',
                 '-f', 'json')
    assert result.code == 0, result
    assert json.loads(result.stdout)['status'] == 'disabled'
    assert fake_server.requests[0].json() == {
        'status': 'disabled', 'disabled_reason': 'upgrade'}


def test_protectable_commands(fake_server, env):
    fake_server.add('GET', 'protectables', body={
        'protectable_type': ['OS::Karbor::Directory']})
    fake_server.add('GET', 'protectables/OS::Karbor::Directory/instances',
                    body={'instances': [dict(RESOURCE, extra_info=None,
                                             dependent_resources=[])]})
    types = cli(env, 'protectable', 'list', '-f', 'value')
    assert types.stdout == 'OS::Karbor::Directory\n'
    instances = cli(env, 'protectable', 'instance', 'list',
                    'OS::Karbor::Directory', '--parameter', 'k=v', '-f',
                    'json')
    assert json.loads(instances.stdout)[0]['Dependent resources'] == []
    assert fake_server.requests[-1].query == {'parameters': ['{"k": "v"}']}


def test_debug_traces_requests_without_the_token(fake_server, env):
    fake_server.add('GET', 'plans', body={'plans': []})
    result = cli(env, '--debug', 'plan', 'list')
    assert 'REQ: GET %s/v1/demo/plans' % fake_server.url in result.stderr
    assert 'RESP: 200 OK' in result.stderr
    assert 'X-Auth-Token: <redacted>' in result.stderr
    assert 'demo:demo' not in result.stderr


def test_help_lists_every_command():
    result = run_cli(['--help'], {})
    assert result.code == 0
    for name in commands.COMMANDS:
        assert name in result.stdout


def test_pyproject_entry_points_match_the_commands():
    pyproject = pathlib.Path(__file__).parents[3] / 'pyproject.toml'
    data = tomllib.loads(pyproject.read_text())
    declared = data['project']['entry-points'][
        'openstack.data_protection.v1']
    assert declared == commands.osc_entry_points()


def test_wait_arguments_and_helper():
    parser = argparse.ArgumentParser()
    command_base.add_wait_arguments(parser, default_timeout=7)
    app = argparse.Namespace(stderr=None)
    parsed = parser.parse_args([])
    assert parsed.wait_timeout == 7
    assert command_base.wait_if_requested(app, parsed, None) is None
    parsed = parser.parse_args(['--wait'])
    resource = argparse.Namespace(status='available')
    app.stderr = io.StringIO()
    assert command_base.wait_if_requested(
        app, parsed, lambda: resource) is resource


def keystone_token(karbor_url):
    return {'token': {
        'methods': ['password'], 'expires_at': '2099-01-01T00:00:00.000000Z',
        'issued_at': '2024-01-01T00:00:00.000000Z',
        'project': {'id': 'kproj', 'name': 'demo',
                    'domain': {'id': 'default', 'name': 'Default'}},
        'user': {'id': 'u1', 'name': 'demo',
                 'domain': {'id': 'default', 'name': 'Default'}},
        'roles': [{'id': 'r1', 'name': 'member'}],
        'catalog': [{'type': 'data-protect', 'name': 'karbor', 'id': 's1',
                     'endpoints': [{'id': 'e1', 'interface': 'public',
                                    'region': 'RegionOne',
                                    'region_id': 'RegionOne',
                                    'url': karbor_url}]}]}}


@pytest.mark.parametrize('catalog_path', ['', '/v1/kproj'])
def test_keystone_password_auth_uses_the_catalog(fake_server, catalog_path):
    # The catalog may list the server root or (as upstream did) the
    # project URL; the project comes from the token either way.
    version = {'version': {'id': 'v3.14', 'status': 'stable', 'links': [
        {'rel': 'self', 'href': fake_server.url + '/identity/v3/'}]}}
    fake_server.add('GET', '/identity/v3', body=version)
    fake_server.add('GET', '/identity/v3/', body=version)
    fake_server.add('POST', '/identity/v3/auth/tokens', 201,
                    keystone_token(fake_server.url + catalog_path),
                    headers={'X-Subject-Token': 'ks-token'})
    fake_server.add('GET', '/v1/kproj/plans', body={'plans': [PLAN]})
    result = run_cli(['--os-auth-url', fake_server.url + '/identity/v3',
                      '--os-username', 'demo', '--os-password', 'secret',
                      '--os-project-name', 'demo',
                      '--os-user-domain-id', 'default',
                      '--os-project-domain-id', 'default',
                      'plan', 'list', '-f', 'value', '-c', 'ID'], {})
    assert result.code == 0, result
    assert result.stdout == PLAN_ID + '\n'
    (plans_request,) = fake_server.requests_to('GET', '/v1/kproj/plans')
    assert plans_request.headers['X-Auth-Token'] == 'ks-token'
    (auth_request,) = fake_server.requests_to('POST',
                                              '/identity/v3/auth/tokens')
    assert auth_request.json()['auth']['identity']['password']['user'][
        'name'] == 'demo'


def test_one_shot_task_tag_refuses_a_second_request():
    factory = shell.OneShotTaskTag('t1')
    assert factory() == 't1'
    with pytest.raises(exceptions.CommandError):
        factory()


@pytest.mark.parametrize('token,project', [
    ('demo:demo', 'demo'), ('admin:proj', 'proj'), ('opaque', None),
    ('user:', None), (None, None)])
def test_project_from_noauth_token(token, project):
    assert shell.project_from_noauth_token(token) == project
