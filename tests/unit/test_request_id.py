import webob

from karbor.api.middleware import request_id


def call(headers=None):
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return webob.Response(headers={'X-Other': '1'})(environ,
                                                         start_response)

    request = webob.Request.blank('/v1/p/plans', headers=headers or {})
    response = request.get_response(request_id.RequestIdMiddleware(app))
    return response, seen


def test_every_answer_names_the_request_id_of_its_environ():
    response, seen = call()
    assert response.headers['x-openstack-request-id'] == \
        seen['openstack.request_id']
    assert seen['openstack.request_id'].startswith('req-')
    assert response.headers['X-Other'] == '1'
    assert 'openstack.global_request_id' not in seen


def test_a_well_formed_caller_id_becomes_the_global_request_id():
    caller = 'req-0f0f0f0f-0000-4000-8000-000000000001'
    response, seen = call({'X-OpenStack-Request-ID': caller})
    assert seen['openstack.global_request_id'] == caller
    # The request keeps an id of its own.
    assert response.headers['x-openstack-request-id'] != caller
    _, seen = call({'X-OpenStack-Request-ID': 'anything; DROP TABLE'})
    assert 'openstack.global_request_id' not in seen
