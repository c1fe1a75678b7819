"""os-services: daemons' heartbeats, and enabling/disabling them."""

import datetime

from oslo_config import cfg

from karbor import context
from karbor import objects
from karbor.db import session as db_session

CONF = cfg.CONF


def register(binary='karbor-protection', host='node-1'):
    return objects.Service.register(context.get_admin_context(), host,
                                    binary, 'karbor-protection')


def test_list_is_admin_only(any_api):
    service = register()
    any_api.user.get('/os-services', status=403)
    services = any_api.admin.get('/os-services', status=200).json['services']
    assert services == [{
        'id': service.id, 'binary': 'karbor-protection', 'host': 'node-1',
        'status': 'enabled', 'state': 'up',
        'updated_at': services[0]['updated_at'], 'disabled_reason': None}]
    assert services[0]['updated_at'].endswith('Z')


def test_filters(api):
    register(host='node-1')
    register(host='node-2')
    register(binary='karbor-api', host='node-1')
    hosts = [s['host'] for s in
             api.admin.get('/os-services?host=node-2').json['services']]
    assert hosts == ['node-2']
    binaries = [s['binary'] for s in api.admin.get(
        '/os-services?binary=karbor-api').json['services']]
    assert binaries == ['karbor-api']
    api.admin.get('/os-services?zone=a', status=400)


def test_state_goes_down_without_heartbeats(api):
    service = register()
    old = datetime.datetime.utcnow() - datetime.timedelta(
        seconds=CONF.service_down_time + 5)
    from karbor.db import models
    with db_session.writer() as session:
        session.get(models.Service, service.id).last_heartbeat = old
    shown = api.admin.get('/os-services').json['services'][0]
    assert shown['state'] == 'down'
    objects.Service.get_by_id(context.get_admin_context(),
                              service.id).heartbeat()
    assert api.admin.get('/os-services').json['services'][0]['state'] == 'up'


def test_disable_and_enable(any_api):
    service = register()
    url = '/os-services/%d' % service.id
    any_api.user.put(url, {'status': 'disabled'}, status=403)
    disabled = any_api.admin.put(
        url, {'status': 'disabled', 'disabled_reason': 'maintenance'},
        status=200).json['service']
    assert disabled['status'] == 'disabled'
    assert disabled['disabled_reason'] == 'maintenance'
    listed = any_api.admin.get('/os-services').json['services'][0]
    assert listed['status'] == 'disabled'
    enabled = any_api.admin.put(url, {'status': 'enabled'},
                                status=200).json['service']
    assert enabled['status'] == 'enabled'
    assert enabled['disabled_reason'] is None


def test_update_errors(api):
    service = register()
    url = '/os-services/%d' % service.id
    api.admin.put(url, {'status': 'paused'}, status=400)
    api.admin.put(url, {'service': {'status': 'disabled'}}, status=400)
    api.admin.put(url, {'status': 'enabled', 'disabled_reason': 'x'},
                  status=400)
    api.admin.put('/os-services/999999', {'status': 'enabled'}, status=404)
    api.admin.put('/os-services/abc', {'status': 'enabled'}, status=404)
    api.admin.put('/os-services/99999999999999999999',
                  {'status': 'enabled'}, status=404)
