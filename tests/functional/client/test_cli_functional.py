"""Every karbor-cli command, run from the shell against karbor-all."""

import json
import re
import socket
import time

import pytest
import yaml

from tests.functional.client.conftest import DIRECTORY_TYPE

FORMATS = ('table', 'json', 'yaml', 'value')
REQUEST_ID = re.compile(r'\(Request-ID: req-[0-9a-f-]+\)$')


def parse(fmt, text):
    if fmt == 'json':
        return json.loads(text)
    if fmt == 'yaml':
        return yaml.safe_load(text)
    return text


def assert_one_line_error(result, status):
    """Exit 1 and one stderr line: message (HTTP status) (Request-ID)."""
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert '(HTTP %d)' % status in lines[0], lines[0]
    assert REQUEST_ID.search(lines[0]), lines[0]
    return lines[0]


@pytest.mark.parametrize('fmt', FORMATS)
def test_provider_list_and_show(cli, provider_id, fmt):
    listed = cli.run('provider', 'list', '-f', fmt).stdout
    shown = cli.run('provider', 'show', provider_id, '-f', fmt).stdout
    assert provider_id in listed and provider_id in shown
    if fmt in ('json', 'yaml'):
        assert any(p['ID'] == provider_id for p in parse(fmt, listed))
        schema = parse(fmt, shown)['extended_info_schema']
        assert isinstance(schema, dict)
    elif fmt == 'table':
        # Structures are JSON inside a table cell.
        assert '"options_schema"' in shown


def test_provider_show_by_name(cli, provider_id):
    name = cli.json('provider', 'show', provider_id)['name']
    assert cli.json('provider', 'show', name)['id'] == provider_id


@pytest.mark.parametrize('fmt', FORMATS)
def test_protectable_types(cli, fmt):
    listed = cli.run('protectable', 'list', '-f', fmt).stdout
    shown = cli.run('protectable', 'show', DIRECTORY_TYPE, '-f', fmt).stdout
    assert DIRECTORY_TYPE in listed
    if fmt in ('json', 'yaml'):
        assert {'Protectable type': DIRECTORY_TYPE} in parse(fmt, listed)
        shown = parse(fmt, shown)
        assert shown['name'] == DIRECTORY_TYPE
        assert isinstance(shown['dependent_types'], list)


@pytest.mark.parametrize('fmt', FORMATS)
def test_protectable_instances(cli, directory, fmt):
    instance_id, name = directory
    listed = cli.run('protectable', 'instance', 'list', DIRECTORY_TYPE,
                     '-f', fmt).stdout
    shown = cli.run('protectable', 'instance', 'show', DIRECTORY_TYPE,
                    instance_id, '-f', fmt).stdout
    assert instance_id in listed and name in shown
    if fmt in ('json', 'yaml'):
        (row,) = [i for i in parse(fmt, listed) if i['ID'] == instance_id]
        assert row['Dependent resources'] == []
        assert parse(fmt, shown)['name'] == name


def test_protectable_instance_parameters_filter(cli, embedded_server,
                                                directory):
    root = '%s/data' % embedded_server.state_path
    ids = cli.run('protectable', 'instance', 'list', DIRECTORY_TYPE,
                  '--parameter', 'root=' + root, '-f', 'value',
                  '-c', 'ID').stdout.split()
    assert directory[0] in ids


def test_plan_lifecycle(cli, provider_id, directory):
    instance_id, directory_name = directory
    name = 'life-%d' % time.monotonic_ns()
    created = cli.json(
        'plan', 'create', name, provider_id,
        '--resource', '%s=%s' % (instance_id, DIRECTORY_TYPE),
        '--description', 'first',
        '--parameters-json', json.dumps({DIRECTORY_TYPE: {'note': 'n'}}))
    plan_id = created['id']
    assert created['status'] == 'suspended'
    assert created['resources'][0]['name'] == directory_name
    assert created['parameters'] == {DIRECTORY_TYPE: {'note': 'n'}}

    for fmt in FORMATS:
        listed = cli.run('plan', 'list', '--name', name, '-f', fmt).stdout
        shown = cli.run('plan', 'show', plan_id, '-f', fmt).stdout
        assert plan_id in listed and name in shown
        if fmt in ('json', 'yaml'):
            assert [p['ID'] for p in parse(fmt, listed)] == [plan_id]
            assert parse(fmt, shown)['resources'][0]['id'] == instance_id
        if fmt in ('table', 'value'):
            assert '"type": "%s"' % DIRECTORY_TYPE in shown

    updated = cli.json('plan', 'update', name, '--name', name + '-2',
                       '--description', 'second')
    assert (updated['name'], updated['description']) == (name + '-2',
                                                          'second')
    started = cli.run('plan', 'update', plan_id, '--status', 'started',
                      '-f', 'value', '-c', 'status').stdout
    assert started == 'started\n'
    assert cli.json('plan', 'list', '--status', 'started', '--name',
                    name + '-2')[0]['ID'] == plan_id

    cli.run('plan', 'delete', plan_id)
    missing = cli.run('plan', 'show', plan_id, expect=1)
    assert_one_line_error(missing, 404)


def test_plan_list_limit_and_sort(cli, provider_id, directory):
    prefix = 'page-%d-' % time.monotonic_ns()
    ids = []
    for suffix in ('b', 'a', 'c'):
        ids.append(cli.json('plan', 'create', prefix + suffix, provider_id,
                            '--resource', '%s=%s' % (directory[0],
                                                     DIRECTORY_TYPE))['id'])
    try:
        names = cli.run('plan', 'list', '--sort', 'name:desc', '-f', 'value',
                        '-c', 'Name').stdout.split()
        ours = [n for n in names if n.startswith(prefix)]
        assert ours == [prefix + 'c', prefix + 'b', prefix + 'a']
        assert len(cli.json('plan', 'list', '--limit', '2')) == 2
    finally:
        cli.run('plan', 'delete', *ids)


def test_plan_delete_several_reports_the_missing_one(cli, plan):
    unknown = '0f4bd0c6-3a7e-4d24-9d0c-7c1b1e1d0a55'
    result = cli.run('plan', 'delete', plan['id'], unknown, expect=1)
    assert 'Failed to delete plan %s' % unknown in result.stderr
    assert_one_line_error(cli.run('plan', 'show', plan['id'], expect=1), 404)


@pytest.mark.parametrize('fmt', FORMATS)
def test_service_list_enable_disable_as_admin(cli, embedded_server, fmt):
    admin = embedded_server.admin_token
    services = cli.json('service', 'list', token=admin)
    assert services, 'the embedded server runs at least one service'
    service_id = str(services[0]['ID'])
    disabled = cli.run('service', 'disable', service_id, '--reason',
                       'maintenance', '-f', fmt, token=admin).stdout
    enabled = cli.run('service', 'enable', service_id, '-f', fmt,
                      token=admin).stdout
    listed = cli.run('service', 'list', '-f', fmt, token=admin).stdout
    assert 'maintenance' in disabled and 'enabled' in enabled
    assert service_id in listed
    if fmt in ('json', 'yaml'):
        assert parse(fmt, disabled)['status'] == 'disabled'
        assert parse(fmt, enabled)['status'] == 'enabled'


def test_service_list_is_admin_only(cli):
    assert_one_line_error(cli.run('service', 'list', expect=1), 403)


# -- failures: exit 1 and one human line -----------------------------------

def test_unreachable_endpoint(cli):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port once the socket is closed.
    result = cli.run('--retries', '1', 'plan', 'list', expect=1,
                     env={'KARBOR_ENDPOINT': 'http://127.0.0.1:%d' % port})
    lines = result.stderr.strip().splitlines()
    assert lines == ['Unable to connect to http://127.0.0.1:%d/v1/demo/plans:'
                     ' Connection refused (after 1 retries)' % port]


def test_missing_token_is_a_401(cli):
    result = cli.run('plan', 'list', token='', expect=1)
    assert_one_line_error(result, 401)


def test_unknown_plan_is_a_404(cli):
    line = assert_one_line_error(cli.run(
        'plan', 'show', '6d2dc1e7-5fe5-4b0c-b5b2-5f0e5b0a3f11', expect=1), 404)
    assert '6d2dc1e7-5fe5-4b0c-b5b2-5f0e5b0a3f11' in line


def test_schema_errors_are_a_400(cli, plan, provider_id, directory):
    assert_one_line_error(cli.run('plan', 'update', plan['id'], '--status',
                                  'bogus', expect=1), 400)
    assert_one_line_error(cli.run(
        'plan', 'create', 'x' * 300, provider_id, '--resource',
        '%s=%s=name' % (directory[0], DIRECTORY_TYPE), expect=1), 400)


def test_unknown_filter_is_a_400(cli):
    assert_one_line_error(cli.run('plan', 'list', '--sort', 'nope:asc',
                                  expect=1), 400)


def test_bad_arguments_exit_2(cli):
    assert cli.run('plan', 'show', expect=2).returncode == 2


# -- tracing and task tags -------------------------------------------------

def test_debug_shows_requests_and_responses_without_the_token(cli, plan):
    result = cli.run('--debug', 'plan', 'show', plan['id'])
    trace = result.stderr
    assert 'REQ: GET %s/v1/demo/plans/%s' % (cli.server.url,
                                             plan['id']) in trace
    assert 'RESP: 200 OK' in trace
    assert re.search(r'x-openstack-request-id: req-', trace, re.I)
    assert 'X-Auth-Token: <redacted>' in trace
    assert cli.server.token not in trace
    assert json.loads(trace.split('body: ', 1)[1].splitlines()[0])['plan'][
        'id'] == plan['id']


def test_task_tag_is_sent_on_mutating_calls(cli, plan):
    tag = 'f6b8a0c2-1111-4d3e-9f00-%012d' % (time.monotonic_ns() % 10**12)
    result = cli.run('--debug', '--task-tag', tag, 'plan', 'update',
                     plan['id'], '--description', 'tagged')
    assert 'Task-Tag: %s' % tag in result.stderr
    generated = cli.run('--debug', 'plan', 'update', plan['id'],
                        '--description', 'again').stderr
    assert re.search(r'Task-Tag: [0-9a-f-]{36}', generated)
    assert 'Task-Tag' not in cli.run('--debug', 'plan', 'show',
                                     plan['id']).stderr
