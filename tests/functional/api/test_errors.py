"""Bad requests get the right 4xx in the v1 fault envelope, never a 500."""

import json

from oslo_config import cfg
import pytest

from tests.functional.conftest import count_rows

CONF = cfg.CONF


def fault(response):
    body = response.json
    assert len(body) == 1
    name, error = next(iter(body.items()))
    assert error['code'] == response.status_int
    assert error['request_id'] == response.headers['x-openstack-request-id']
    assert error['message']
    return name, error


def test_every_response_has_a_request_id(api):
    for response in (api.testapp.get('/'),
                     api.user.get('/plans'),
                     api.user.get('/plans/nope')):
        assert response.headers['x-openstack-request-id'].startswith('req-')


def test_version_document_needs_no_auth(api):
    response = api.testapp.get('/', status=200)
    version = response.json['versions'][0]
    assert version['id'] == 'v1.0'
    assert version['min_version'] == '1.0'
    v1 = api.testapp.get('/v1/', headers={'X-Auth-Token': 'demo:demo'},
                         status=200)
    assert v1.json['version']['status'] == 'CURRENT'


def test_missing_token_is_401(api):
    response = api.testapp.get('/v1/demo/plans', status=401)
    name, error = fault(response)
    assert name == 'unauthorized'
    assert error['error_code'] == 'not_authenticated'


def test_identity_headers_from_the_caller_are_ignored(api):
    response = api.testapp.get(
        '/v1/demo/os-services', status=403,
        headers={'X-Auth-Token': 'demo:demo', 'X-Roles': 'admin'})
    assert fault(response)[0] == 'forbidden'


def test_project_mismatch_is_400(api):
    response = api.user.get('/v1/someone-else/plans', raw_url=True,
                            status=400)
    assert fault(response)[1]['error_code'] == 'project_mismatch'


def test_unknown_route_and_method(api):
    name, error = fault(api.user.get('/nothing-here', status=404))
    assert name == 'itemNotFound'
    assert '/v1/demo/nothing-here' in error['message']
    response = api.user.request('PATCH', '/plans', status=405)
    assert fault(response)[0] == 'badMethod'


@pytest.mark.parametrize('content_type, status, code', [
    (None, 400, 'missing_content_type'),
    ('text/plain', 415, 'unsupported_media_type'),
    ('application/x-www-form-urlencoded', 415, 'unsupported_media_type'),
])
def test_content_type(api, content_type, status, code):
    headers = {'X-Auth-Token': 'demo:demo'}
    if content_type:
        headers['Content-Type'] = content_type
    response = api.testapp.post('/v1/demo/plans', params='{"plan": {}}',
                                headers=headers, expect_errors=True)
    if content_type is None:
        # webtest adds a form Content-Type to any body; remove it by hand.
        response = api.testapp.request(
            '/v1/demo/plans', method='POST', body=b'{"plan": {}}',
            headers={'X-Auth-Token': 'demo:demo'}, expect_errors=True,
            content_type='')
    assert response.status_int == status, response.text
    assert fault(response)[1]['error_code'] == code


@pytest.mark.parametrize('body, code', [
    ('{"plan": ', 'malformed_body'),
    ('[1, 2]', 'invalid_input'),
    ('"plan"', 'invalid_input'),
    (b'\xff\xfe', 'malformed_body'),
])
def test_malformed_bodies(api, body, code):
    response = api.user.post('/plans', body, status=400)
    assert fault(response)[1]['error_code'] == code
    assert count_rows('plans') == 0


def test_empty_body(api):
    response = api.testapp.request(
        '/v1/demo/plans', method='POST', body=b'',
        headers={'X-Auth-Token': 'demo:demo',
                 'Content-Type': 'application/json'}, expect_errors=True)
    assert response.status_int == 400
    assert 'no body' in fault(response)[1]['message']


def test_oversized_body_is_413(api):
    big = json.dumps({'plan': {'name': 'x' * CONF.api.max_request_body_size}})
    response = api.user.post('/plans', big, status=413)
    name, error = fault(response)
    assert name == 'overLimit'
    assert str(CONF.api.max_request_body_size) in error['message']


@pytest.mark.parametrize('query, fragment', [
    ('colour=red', "unknown query parameter 'colour'"),
    ('limit=0', 'limit must be a positive integer'),
    ('limit=abc', 'limit must be a positive integer'),
    ('sort=colour:asc', "cannot sort by 'colour'"),
    ('sort=name:up', "'up' is not asc or desc"),
    ('sort=name&sort_key=id', 'either sort or sort_key'),
    ('all_tenants=maybe', 'all_tenants must be a boolean'),
    ('name=a&name=b', 'given more than once'),
    ('marker=00000000-0000-0000-0000-000000000000', 'marker'),
])
def test_bad_query_parameters(api, query, fragment):
    response = api.user.get('/plans?' + query, status=400)
    assert fragment in fault(response)[1]['message']


@pytest.mark.parametrize('path', ['/plans/%ff', '/plans?name=%fe%ff'])
def test_urls_that_are_not_utf8_are_400(api, path):
    response = api.user.get(path, status=400)
    name, error = fault(response)
    assert name == 'badRequest'
    assert error['error_code'] == 'invalid_url_encoding'


def test_limit_is_capped(api, directory):
    CONF.set_override('max_limit', 2, group='api')
    try:
        from tests.functional.api.test_plans import create
        for i in range(3):
            create(api.user, directory, name='p%d' % i)
        body = api.user.get('/plans?limit=50').json
        assert len(body['plans']) == 2
        assert 'limit=2' in body['plans_links'][0]['href']
    finally:
        CONF.clear_override('max_limit', group='api')


@pytest.mark.parametrize('header, status, echoed', [
    ('data-protection 1.0', 200, '1.0'),
    ('data-protection latest', 200, '1.0'),
    ('compute 2.1', 200, '1.0'),
    ('compute 2.1, data-protection 1.0', 200, '1.0'),
    ('data-protection 1.1', 406, '1.0'),
    ('data-protection 2.0', 406, '1.0'),
    ('data-protection one', 400, '1.0'),
])
def test_microversions(api, header, status, echoed):
    response = api.user.get('/plans', status=status,
                            headers={'OpenStack-API-Version': header})
    assert response.headers['OpenStack-API-Version'] == \
        'data-protection ' + echoed
    assert 'OpenStack-API-Version' in response.headers['Vary']
    if status >= 400:
        fault(response)


def test_unexpected_errors_are_500_without_details(api, monkeypatch):
    from karbor.db import plans as db_plans

    def broken(*args, **kwargs):
        raise RuntimeError('secret internals')

    monkeypatch.setattr(db_plans, 'plan_list', broken)
    response = api.user.get('/plans', status=500)
    name, error = fault(response)
    assert name == 'computeFault'
    assert 'secret' not in response.text
    assert 'Traceback' not in response.text


@pytest.mark.parametrize('method, path', [
    ('GET', '/plans/%(plan)s?verbose=1'),
    ('PUT', '/plans/%(plan)s?force=1'),
    ('DELETE', '/plans/%(plan)s?cascade=1'),
    ('POST', '/plans?dry_run=1'),
    ('GET', '/providers/b766f37c-d011-4026-8228-28730d734a3f?x=1'),
    ('GET', '/protectables?limit=1'),
    ('GET', '/os-services?zone=a'),
])
def test_unknown_query_parameters_everywhere(api, directory, method, path):
    from tests.functional.api.test_plans import create
    plan = create(api.user, directory)['plan']
    client = api.admin if 'os-services' in path else api.user
    body = {'plan': {'name': 'x'}} if method in ('PUT', 'POST') else None
    response = client.request(method, path % {'plan': plan['id']}, body,
                              status=400)
    assert fault(response)[1]['error_code'] == 'invalid_query_parameter'
    api.user.get('/plans/%s' % plan['id'], status=200)
