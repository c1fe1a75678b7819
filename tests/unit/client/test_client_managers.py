"""What each manager sends and how it reads the answers."""

import pytest

from karbor.client import exceptions
from karbor.client.v1 import plans

PLAN = {'id': 'p1', 'name': 'n', 'description': None, 'provider_id': 'prov',
        'status': 'suspended', 'resources': [], 'parameters': {},
        'project_id': 'demo', 'created_at': '2024-01-01T00:00:00Z',
        'updated_at': None}
PLAN_ID = '6d2dc1e7-5fe5-4b0c-b5b2-5f0e5b0a3f11'


def test_plan_create_body_and_typed_result(fake_server, sdk):
    fake_server.add('POST', 'plans', 201, {'plan': PLAN})
    resources = [{'id': '/srv', 'type': 'OS::Karbor::Directory',
                  'name': 'srv'}]
    plan = sdk.plans.create('n', 'prov', resources, description='d',
                            parameters={'OS::Karbor::Directory': {}})
    assert isinstance(plan, plans.Plan)
    assert plan.status == 'suspended'
    assert plan.to_dict() == PLAN
    assert fake_server.requests[0].json() == {'plan': {
        'name': 'n', 'provider_id': 'prov', 'resources': resources,
        'parameters': {'OS::Karbor::Directory': {}}, 'description': 'd'}}
    assert (fake_server.requests[0].headers['Content-Type']
            == 'application/json')


def test_plan_update_sends_only_given_fields(fake_server, sdk):
    fake_server.add('PUT', 'plans/p1', 200, {'plan': PLAN})
    sdk.plans.update('p1', status='started')
    assert fake_server.requests[0].json() == {'plan': {'status': 'started'}}


def test_plan_delete_accepts_204(fake_server, sdk):
    fake_server.add('DELETE', 'plans/p1', 204)
    assert sdk.plans.delete('p1') is None


def test_unknown_fields_are_kept(fake_server, sdk):
    fake_server.add('GET', 'plans/p1', body={'plan': dict(PLAN, new='x')})
    plan = sdk.plans.get('p1')
    assert plan.to_dict()['new'] == 'x'
    assert plan.name == 'n'


def test_missing_envelope_is_an_invalid_response(fake_server, sdk):
    fake_server.add('GET', 'plans/p1', body={'wrong': {}})
    with pytest.raises(exceptions.InvalidResponse):
        sdk.plans.get('p1')


def test_find_by_uuid_then_by_name(fake_server, sdk):
    fake_server.add('GET', 'plans/' + PLAN_ID, 404, {'itemNotFound': {
        'message': 'nope'}})
    fake_server.add('GET', 'plans', body={'plans': [dict(PLAN, id='p9')]})
    assert sdk.plans.find(PLAN_ID).id == 'p9'
    assert fake_server.requests[1].query == {'name': [PLAN_ID],
                                             'limit': ['2']}


def test_find_unknown_uuid_keeps_the_server_error(fake_server, sdk):
    fake_server.add('GET', 'plans/' + PLAN_ID, 404, {'itemNotFound': {
        'message': 'Plan %s could not be found.' % PLAN_ID}})
    fake_server.add('GET', 'plans', body={'plans': []})
    with pytest.raises(exceptions.NotFound) as info:
        sdk.plans.find(PLAN_ID)
    assert info.value.message == 'Plan %s could not be found.' % PLAN_ID
    assert info.value.request_id == 'req-test-1'


def test_find_ambiguous_name(fake_server, sdk):
    fake_server.add('GET', 'plans', body={'plans': [PLAN, PLAN]})
    with pytest.raises(exceptions.Conflict, match='More than one plan'):
        sdk.plans.find('n')


def test_find_no_match(fake_server, sdk):
    fake_server.add('GET', 'plans', body={'plans': []})
    with pytest.raises(exceptions.NotFound, match="No plan with a name"):
        sdk.plans.find('n')


def test_protectable_types_and_type(fake_server, sdk):
    fake_server.add('GET', 'protectables', body={
        'protectable_type': ['OS::Karbor::Directory']})
    fake_server.add('GET', 'protectables/OS::Karbor::Directory', body={
        'protectable_type': {'name': 'OS::Karbor::Directory',
                             'dependent_types': []}})
    assert sdk.protectables.list_types() == ['OS::Karbor::Directory']
    ptype = sdk.protectables.get_type('OS::Karbor::Directory')
    assert ptype.dependent_types == []


def test_protectable_instance_path_is_quoted_but_keeps_colons(fake_server,
                                                              sdk):
    fake_server.add('GET', 'protectables/OS::Karbor::Directory/instances/'
                    '%2Fsrv%2Fdata', body={'instance': {'id': '/srv/data'}})
    instance = sdk.protectables.get_instance('OS::Karbor::Directory',
                                             '/srv/data')
    assert instance.id == '/srv/data'


def test_service_enable_and_disable_bodies_are_not_enveloped(fake_server,
                                                             sdk):
    service = {'id': 1, 'binary': 'karbor-protection', 'status': 'disabled'}
    fake_server.add('PUT', 'os-services/1', body={'service': service})
    sdk.services.disable(1, reason='maintenance')
    sdk.services.enable(1)
    assert [r.json() for r in fake_server.requests] == [
        {'status': 'disabled', 'disabled_reason': 'maintenance'},
        {'status': 'enabled'}]


def test_service_list_filters(fake_server, sdk):
    fake_server.add('GET', 'os-services', body={'services': [{'id': 1}]})
    assert [s.id for s in sdk.services.list(host='h')] == [1]
    assert fake_server.requests[0].query == {'host': ['h']}


def test_provider_list_and_get(fake_server, sdk):
    provider = {'id': 'prov', 'name': 'No-Op', 'description': 'd',
                'extended_info_schema': {'options_schema': {}}}
    fake_server.add('GET', 'providers', body={'providers': [provider]})
    fake_server.add('GET', 'providers/prov', body={'provider': provider})
    assert [p.name for p in sdk.providers.list()] == ['No-Op']
    assert sdk.providers.get('prov').extended_info_schema == {
        'options_schema': {}}
