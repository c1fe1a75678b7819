"""Plans through the real WSGI app, on SQLite, MariaDB and PostgreSQL."""

import os
import urllib.parse

from oslo_config import cfg
import pytest

from tests.functional.conftest import NOOP_PROVIDER_ID
from tests.functional.conftest import count_rows

CONF = cfg.CONF


def plan_body(resource, name='plan', **extra):
    resource_id, resource_name = resource
    plan = {'name': name, 'provider_id': NOOP_PROVIDER_ID,
            'resources': [{'id': resource_id,
                           'type': 'OS::Karbor::Directory',
                           'name': resource_name}]}
    plan.update(extra)
    return {'plan': plan}


def create(client, resource, status=201, **extra):
    return client.post('/plans', plan_body(resource, **extra),
                       status=status).json


def test_create_show_update_delete(any_api, directory):
    created = create(any_api.user, directory, name='daily',
                     description='home dirs',
                     parameters={'OS::Karbor::Directory': {'note': 'n'}})
    plan = created['plan']
    assert plan['status'] == 'suspended'
    assert plan['project_id'] == 'demo'
    assert plan['resources'] == [{'id': directory[0],
                                  'type': 'OS::Karbor::Directory',
                                  'name': directory[1], 'extra_info': None}]
    assert plan['parameters'] == {'OS::Karbor::Directory': {'note': 'n'}}
    assert plan['created_at'].endswith('Z') and 'T' in plan['created_at']

    shown = any_api.user.get('/plans/%s' % plan['id'], status=200).json
    assert shown['plan'] == plan

    updated = any_api.user.put('/plans/%s' % plan['id'],
                               {'plan': {'name': 'nightly',
                                         'status': 'started'}},
                               status=200).json['plan']
    assert updated['name'] == 'nightly'
    assert updated['status'] == 'started'
    assert updated['updated_at'] >= plan['updated_at']

    response = any_api.user.delete('/plans/%s' % plan['id'], status=204)
    assert response.body == b''
    any_api.user.get('/plans/%s' % plan['id'], status=404)
    assert count_rows('plans') == 0


def test_started_plan_only_changes_status(any_api, directory):
    plan = create(any_api.user, directory)['plan']
    any_api.user.put('/plans/%s' % plan['id'],
                     {'plan': {'status': 'started'}}, status=200)
    error = any_api.user.put('/plans/%s' % plan['id'],
                             {'plan': {'name': 'x'}}, status=409).json
    assert error['conflictingRequest']['error_code'] == 'invalid_plan_state'
    shown = any_api.user.get('/plans/%s' % plan['id']).json['plan']
    assert shown['name'] == 'plan'
    any_api.user.put('/plans/%s' % plan['id'],
                     {'plan': {'status': 'suspended'}}, status=200)
    any_api.user.put('/plans/%s' % plan['id'], {'plan': {'name': 'x'}},
                     status=200)


def test_update_resources_replaces_them_in_order(any_api, directory,
                                                 data_root):
    import os

    from karbor.protection.protectables import directory as plugin
    plan = create(any_api.user, directory)['plan']
    paths = [os.path.join(data_root, 'z-%s' % plan['id']),
             os.path.join(data_root, 'a-%s' % plan['id'])]
    for path in paths:
        os.makedirs(path)
    resources = [{'id': plugin.directory_id(p),
                  'type': 'OS::Karbor::Directory',
                  'name': os.path.basename(p)} for p in paths]
    updated = any_api.user.put('/plans/%s' % plan['id'],
                               {'plan': {'resources': resources}},
                               status=200).json['plan']
    assert [r['id'] for r in updated['resources']] == \
        [r['id'] for r in resources]
    shown = any_api.user.get('/plans/%s' % plan['id']).json['plan']
    assert shown['resources'] == [dict(r, extra_info=None)
                                  for r in resources]


def test_pagination_follows_next_links(any_api, directory):
    ids = [create(any_api.user, directory, name='p%02d' % i)['plan']['id']
           for i in range(7)]
    seen = []
    url = '/plans?limit=3&sort=name:asc'
    pages = 0
    while url:
        body = any_api.user.get(url, status=200).json
        seen.extend(p['id'] for p in body['plans'])
        pages += 1
        links = body.get('plans_links')
        if not links:
            break
        href = urllib.parse.urlsplit(links[0]['href'])
        assert links[0]['rel'] == 'next'
        url = href.path.split('/demo', 1)[1] + '?' + href.query
    assert seen == ids  # names p00..p06 were created in order
    assert pages == 3


def test_default_order_is_newest_first_with_stable_ties(any_api, directory):
    ids = [create(any_api.user, directory, name='p%d' % i)['plan']['id']
           for i in range(4)]
    listed = [p['id'] for p in any_api.user.get('/plans').json['plans']]
    assert listed == list(reversed(ids))
    legacy = any_api.user.get('/plans?sort_key=created_at&sort_dir=asc')
    assert [p['id'] for p in legacy.json['plans']] == ids


def test_filters(any_api, directory):
    create(any_api.user, directory, name='alpha', description='one')
    create(any_api.user, directory, name='beta', description='two')
    by_name = any_api.user.get('/plans?name=beta').json['plans']
    assert [p['name'] for p in by_name] == ['beta']
    by_description = any_api.user.get('/plans?description=one').json['plans']
    assert [p['name'] for p in by_description] == ['alpha']
    assert any_api.user.get('/plans?status=started').json['plans'] == []


def test_projects_are_isolated(any_api, directory):
    mine = create(any_api.user, directory)['plan']
    create(any_api.other, directory, name='theirs')
    assert [p['id'] for p in any_api.user.get('/plans').json['plans']] == \
        [mine['id']]
    any_api.other.get('/plans/%s' % mine['id'], status=404)
    any_api.other.put('/plans/%s' % mine['id'], {'plan': {'name': 'x'}},
                      status=404)
    any_api.other.delete('/plans/%s' % mine['id'], status=404)
    # Not even a marker from another project is usable.
    any_api.other.get('/plans?marker=%s' % mine['id'], status=400)
    any_api.user.get('/plans/%s' % mine['id'], status=200)


def test_all_tenants_is_for_admins(any_api, directory):
    create(any_api.user, directory, name='mine')
    create(any_api.other, directory, name='theirs')
    error = any_api.user.get('/plans?all_tenants=1', status=403).json
    assert 'plan:get_all_tenants' in error['forbidden']['message']
    any_api.user.get('/plans?project_id=other', status=403)
    everything = any_api.admin.get('/plans?all_tenants=True').json['plans']
    assert sorted(p['name'] for p in everything) == ['mine', 'theirs']
    only_other = any_api.admin.get(
        '/plans?all_tenants=1&project_id=other').json['plans']
    assert [p['name'] for p in only_other] == ['theirs']


@pytest.mark.parametrize('body, fragment', [
    ({'plan': {'name': 'x', 'provider_id': NOOP_PROVIDER_ID}},
     "'resources' is a required property"),
    ({'plan': {'provider_id': NOOP_PROVIDER_ID, 'resources': []}},
     "'name' is a required property"),
    ({'plan': {'name': 'x', 'provider_id': 'not-a-uuid', 'resources': []}},
     'provider_id'),
    ({'plan': {'name': 7, 'provider_id': NOOP_PROVIDER_ID,
               'resources': []}}, 'plan/name'),
    ({'plan': {'name': 'x', 'provider_id': NOOP_PROVIDER_ID,
               'resources': [], 'colour': 'red'}}, "'colour'"),
    ({'plans': {}}, "'plans'"),
])
def test_schema_errors_name_the_field(api, body, fragment):
    error = api.user.post('/plans', body, status=400).json['badRequest']
    assert fragment in error['message']
    assert error['error_code'] == 'invalid_input'
    assert error['request_id'].startswith('req-')
    assert count_rows('plans') == 0


def _count_resource_checks(monkeypatch):
    from karbor.protection import rpcapi
    calls = []
    original = rpcapi.ProtectionAPI.check_resources

    def counted(self, ctxt, resources):
        calls.append(resources)
        return original(self, ctxt, resources)

    monkeypatch.setattr(rpcapi.ProtectionAPI, 'check_resources', counted)
    return calls


def test_listed_resources_enter_plans_without_another_check(
        api, directory, data_root, monkeypatch):
    checks = _count_resource_checks(monkeypatch)
    listed = api.user.get(
        '/protectables/OS::Karbor::Directory/instances').json['instances']
    assert directory[0] in [i['id'] for i in listed]
    create(api.user, directory, name='first')
    create(api.user, directory, name='second')
    assert checks == []
    # Another project has not listed it: its plan is checked.
    create(api.other, directory, name='theirs')
    assert len(checks) == 1


def test_resource_checks_remember_existence_for_a_while(
        api, directory, data_root, monkeypatch):
    checks = _count_resource_checks(monkeypatch)
    create(api.user, directory, name='checked')
    assert len(checks) == 1
    os.rmdir(os.path.join(data_root, directory[1]))
    # Remembered: accepted (its protect will fail, naming it).
    create(api.user, directory, name='remembered')
    assert len(checks) == 1
    CONF.set_override('resource_check_cache_seconds', 0, group='api')
    try:
        error = api.user.post('/plans', plan_body(directory, name='gone'),
                              status=400).json['badRequest']
    finally:
        CONF.clear_override('resource_check_cache_seconds', group='api')
    assert error['error_code'] == 'plan_resource_not_found'
    assert len(checks) == 2


def test_semantic_errors(api, directory):
    unknown_provider = plan_body(directory)
    unknown_provider['plan']['provider_id'] = \
        '00000000-0000-0000-0000-000000000000'
    error = api.user.post('/plans', unknown_provider, status=400).json
    assert 'does not name a provider' in error['badRequest']['message']

    missing = plan_body(('0f0f0f0f-0000-0000-0000-000000000000', 'gone'))
    error = api.user.post('/plans', missing, status=400).json['badRequest']
    assert error['error_code'] == 'plan_resource_not_found'
    assert '0f0f0f0f-0000-0000-0000-000000000000' in error['message']

    wrong_type = plan_body(directory)
    wrong_type['plan']['resources'][0]['type'] = 'OS::Nova::Server'
    error = api.user.post('/plans', wrong_type, status=400).json['badRequest']
    assert error['error_code'] == 'resource_not_protectable'

    twice = plan_body(directory)
    twice['plan']['resources'] *= 2
    error = api.user.post('/plans', twice, status=400).json['badRequest']
    assert 'listed twice' in error['message']

    bad_option = plan_body(
        directory, parameters={'OS::Karbor::Directory': {'note': 5}})
    error = api.user.post('/plans', bad_option, status=400).json['badRequest']
    assert error['error_code'] == 'invalid_parameters'
    assert 'parameters/OS::Karbor::Directory: note:' in error['message']

    unknown_option = plan_body(
        directory, parameters={'OS::Karbor::Directory': {'speed': 'max'}})
    error = api.user.post('/plans', unknown_option,
                          status=400).json['badRequest']
    assert "'speed'" in error['message']

    foreign_key = plan_body(directory,
                            parameters={'OS::Nova::Server': {}})
    api.user.post('/plans', foreign_key, status=400)
    assert count_rows('plans') == 0


def test_update_errors(api, directory):
    plan = create(api.user, directory)['plan']
    api.user.put('/plans/%s' % plan['id'], {'plan': {}}, status=400)
    api.user.put('/plans/%s' % plan['id'], {'plan': {'status': 'running'}},
                 status=400)
    api.user.put('/plans/%s' % plan['id'],
                 {'plan': {'provider_id': NOOP_PROVIDER_ID}}, status=400)
    api.user.put('/plans/nope', {'plan': {'name': 'x'}}, status=404)
    shown = api.user.get('/plans/%s' % plan['id']).json['plan']
    assert shown == plan
