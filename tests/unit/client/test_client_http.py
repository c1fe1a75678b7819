"""Headers, retries and Task-Tag handling of the SDK's HTTP layer."""

import logging
import uuid

import pytest

from karbor.client import Client
from karbor.client import exceptions
from karbor.client import http
from tests.unit.client.fake_karbor_server import PROJECT

PLAN = {'id': 'p1', 'name': 'n', 'status': 'suspended'}


def test_get_sends_version_token_and_no_task_tag(fake_server, sdk):
    fake_server.add('GET', 'plans/p1', body={'plan': PLAN})
    sdk.plans.get('p1')
    (request,) = fake_server.requests
    assert request.headers['OpenStack-API-Version'] == 'data-protection 1.0'
    assert request.headers['X-Auth-Token'] == 'demo:demo'
    assert request.headers['Accept'] == 'application/json'
    assert 'Task-Tag' not in request.headers


@pytest.mark.parametrize('call', [
    lambda c: c.plans.create('n', 'prov', []),
    lambda c: c.plans.update('p1', name='x'),
    lambda c: c.plans.delete('p1'),
])
def test_every_mutating_call_sends_a_fresh_uuid_task_tag(fake_server, sdk,
                                                         call):
    fake_server.add('POST', 'plans', 201, {'plan': PLAN})
    fake_server.add('PUT', 'plans/p1', 200, {'plan': PLAN})
    fake_server.add('DELETE', 'plans/p1', 204)
    call(sdk)
    call(sdk)
    tags = [r.headers['Task-Tag'] for r in fake_server.requests]
    assert len(set(tags)) == 2
    for tag in tags:
        uuid.UUID(tag)


def test_task_tag_is_reused_when_a_lost_response_is_retried(fake_server,
                                                            sdk):
    # The first POST reaches the server but its answer is lost: the retry
    # must carry the same tag so the server can recognise it.
    fake_server.add('POST', 'plans', drop=True)
    fake_server.add('POST', 'plans', 201, {'plan': PLAN})
    plan = sdk.plans.create('n', 'prov', [])
    assert plan.id == 'p1'
    first, second = fake_server.requests_to('POST', 'plans')
    assert first.headers['Task-Tag'] == second.headers['Task-Tag']
    assert first.json() == second.json()


def test_explicit_task_tag_is_sent_on_every_attempt(fake_server, sdk):
    fake_server.add('DELETE', 'plans/p1', drop=True)
    fake_server.add('DELETE', 'plans/p1', 204)
    sdk.plans.delete('p1', task_tag='my-tag')
    assert [r.headers['Task-Tag'] for r in fake_server.requests] == [
        'my-tag', 'my-tag']


def test_task_tag_factory_is_called_once_per_logical_call(fake_server):
    calls = []

    def factory():
        calls.append(1)
        return 'tag-%d' % len(calls)

    client = Client(endpoint=fake_server.url, token='t', project_id=PROJECT,
                    retries=3, retry_delay=0, task_tag_factory=factory)
    fake_server.add('DELETE', 'plans/p1', drop=True)
    fake_server.add('DELETE', 'plans/p1', drop=True)
    fake_server.add('DELETE', 'plans/p1', 204)
    client.plans.delete('p1')
    assert len(calls) == 1
    assert {r.headers['Task-Tag'] for r in fake_server.requests} == {'tag-1'}


def test_connection_failure_after_retries(fake_server, sdk):
    fake_server.add('GET', 'plans/p1', drop=True)
    with pytest.raises(exceptions.ConnectionFailure) as info:
        sdk.plans.get('p1')
    assert len(fake_server.requests) == 3   # first try + 2 retries
    assert 'after 2 retries' in str(info.value)


def test_unreachable_endpoint_is_a_connection_failure():
    client = Client(endpoint='http://127.0.0.1:9', token='t',
                    project_id=PROJECT, retries=0)
    with pytest.raises(exceptions.ConnectionFailure) as info:
        client.plans.get('p1')
    assert str(info.value) == ('Unable to connect to '
                               'http://127.0.0.1:9/v1/demo/plans/p1: '
                               'Connection refused')


def test_http_errors_are_never_retried(fake_server, sdk):
    fake_server.add('POST', 'plans', 503, {'serviceUnavailable': {
        'code': 503, 'message': 'Busy.'}})
    with pytest.raises(exceptions.ServiceUnavailable):
        sdk.plans.create('n', 'prov', [])
    assert len(fake_server.requests) == 1


def test_retry_delay_grows_and_is_capped():
    delays = []
    client = http.HTTPClient(None, retries=6, retry_delay=1,
                             sleep=delays.append)

    class Adapter:
        session = auth = None

        def request(self, *args, **kwargs):
            from keystoneauth1 import exceptions as ks_exc
            raise ks_exc.ConnectFailure('[Errno 111] Connection refused')

    client.adapter = Adapter()
    client._base_url = 'http://x/v1/p'
    with pytest.raises(exceptions.ConnectionFailure):
        client.get('plans')
    assert delays == [1, 2, 4, 8, 8, 8]


@pytest.mark.parametrize('endpoint,project,expected', [
    ('http://h:8799', 'p', 'http://h:8799/v1/p'),
    ('http://h:8799/', 'p', 'http://h:8799/v1/p'),
    ('http://h:8799/v1', 'p', 'http://h:8799/v1/p'),
    ('http://h:8799/v1/abc', None, 'http://h:8799/v1/abc'),
    ('http://h/karbor/v1/abc/', 'p', 'http://h/karbor/v1/abc'),
])
def test_project_url(endpoint, project, expected):
    assert http.project_url(endpoint, project) == expected


def test_project_url_needs_a_project():
    with pytest.raises(exceptions.ConfigurationError):
        http.project_url('http://h:8799', None)


def test_endpoint_with_project_is_used_as_is(fake_server):
    client = Client(endpoint=fake_server.url + '/v1/other', token='t')
    fake_server.add('GET', '/v1/other/plans/p1', body={'plan': PLAN})
    assert client.plans.get('p1').id == 'p1'


def test_api_version_one_means_one_dot_zero(fake_server):
    client = Client(endpoint=fake_server.url, token='t', project_id=PROJECT,
                    api_version='1')
    fake_server.add('GET', 'plans/p1', body={'plan': PLAN})
    client.plans.get('p1')
    assert (fake_server.requests[0].headers['OpenStack-API-Version']
            == 'data-protection 1.0')


def test_non_json_success_is_an_invalid_response(fake_server, sdk):
    fake_server.add('GET', 'plans/p1', body=b'<html>', headers={
        'Content-Type': 'text/html'})
    with pytest.raises(exceptions.InvalidResponse):
        sdk.plans.get('p1')


def test_debug_log_shows_request_and_response_without_token(
        fake_server, sdk, caplog):
    fake_server.add('POST', 'plans', 201, {'plan': PLAN})
    with caplog.at_level(logging.DEBUG, logger='karbor.client.http'):
        sdk.plans.create('n', 'prov', [])
    text = caplog.text
    assert 'REQ: POST %s/v1/demo/plans' % fake_server.url in text
    assert '"name": "n"' in text
    assert 'RESP: 201' in text
    assert 'x-openstack-request-id: req-test-1' in text
    assert 'X-Auth-Token: <redacted>' in text
    assert 'demo:demo' not in text
