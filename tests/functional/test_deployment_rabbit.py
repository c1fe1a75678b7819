"""API and protection workers in separate processes over RabbitMQ.

The production shape: karbor-api under gunicorn with two workers and a
karbor-protection process, on MariaDB and on PostgreSQL.
"""

import time

import pytest

from tests import services
from tests.functional import deployment
from tests.functional.conftest import NOOP_PROVIDER_ID


# One deployment per back end serves every test of this module (starting
# gunicorn and a worker takes seconds); tests leave it running.
@pytest.fixture(scope='module', params=['postgresql', 'mysql'])
def stack(request, tmp_path_factory):
    services.require('RabbitMQ', '127.0.0.1', 5672)
    db = services.Database(request.param)
    deploy = deployment.Deployment(
        str(tmp_path_factory.mktemp(request.param)), db.url)
    try:
        deploy.run('karbor-manage', 'db', 'sync')
        deploy.start('karbor-protection')
        deploy.start('karbor-api')
        deploy.wait_for_api()
        yield deploy
    finally:
        deploy.stop_all()
        db.drop()


def wait_until(predicate, timeout=30, interval=0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError('condition not met within %ss' % timeout)


def protectable_instances(stack):
    return stack.request('GET',
                         '/protectables/OS::Karbor::Directory/instances')


def test_requests_cross_rabbitmq_to_the_worker(stack):
    status, body = wait_until(
        lambda: (lambda r: r if r[0] == 200 else None)(
            protectable_instances(stack)))
    [instance] = body['instances']
    assert instance['name'] == 'vol1'

    status, body = stack.request('POST', '/plans', {'plan': {
        'name': 'over-rabbit', 'provider_id': NOOP_PROVIDER_ID,
        'resources': [{'id': instance['id'], 'name': 'vol1',
                       'type': 'OS::Karbor::Directory'}]}})
    assert status == 201, body
    # Both API workers answer from the same database.
    for _ in range(4):
        status, shown = stack.request('GET', '/plans/%s' % body['plan']['id'])
        assert status == 200
        assert shown['plan']['name'] == 'over-rabbit'

    status, body = stack.request('GET', '/os-services', token='admin:demo')
    binaries = {(s['binary'], s['state']) for s in body['services']}
    assert ('karbor-protection', 'up') in binaries
    assert ('karbor-api', 'up') in binaries


def test_disabled_worker_stops_taking_work(stack):
    wait_until(lambda: protectable_instances(stack)[0] == 200)
    _, body = stack.request('GET', '/os-services?binary=karbor-protection',
                            token='admin:demo')
    [worker] = body['services']
    status, _ = stack.request('PUT', '/os-services/%d' % worker['id'],
                              {'status': 'disabled',
                               'disabled_reason': 'maintenance'},
                              token='admin:demo')
    assert status == 200
    # The only worker stops consuming: questions time out with a 503.
    status, body = wait_until(
        lambda: (lambda r: r if r[0] == 503 else None)(
            protectable_instances(stack)))
    assert body['serviceUnavailable']['error_code'] == \
        'protection_worker_unavailable'
    stack.request('PUT', '/os-services/%d' % worker['id'],
                  {'status': 'enabled'}, token='admin:demo')
    wait_until(lambda: protectable_instances(stack)[0] == 200)


def test_dead_worker_shows_down_and_requests_fail_cleanly(stack):
    wait_until(lambda: protectable_instances(stack)[0] == 200)
    stack.stop('karbor-protection', kill=True)
    status, body = protectable_instances(stack)
    assert status == 503
    assert 'No protection worker answered' in \
        body['serviceUnavailable']['message']

    def down():
        _, body = stack.request('GET', '/os-services?binary='
                                'karbor-protection', token='admin:demo')
        return body['services'][0]['state'] == 'down'
    wait_until(down, timeout=20)

    stack.start('karbor-protection')
    wait_until(lambda: protectable_instances(stack)[0] == 200)
