import webob

from karbor.api.middleware import noauth


def identity(token, path='/v1/p1/plans', headers=None):
    seen = {}

    def app(environ, start_response):
        seen.update({k: v for k, v in environ.items()
                     if k.startswith('HTTP_X_')})
        return webob.Response()(environ, start_response)

    request = webob.Request.blank(path, headers=headers or {})
    if token is not None:
        request.headers['X-Auth-Token'] = token
    response = request.get_response(noauth.NoAuthMiddleware(app))
    return response, seen


def test_user_and_project_from_token():
    _, seen = identity('alice:p1')
    assert seen['HTTP_X_USER_ID'] == 'alice'
    assert seen['HTTP_X_PROJECT_ID'] == 'p1'
    assert seen['HTTP_X_ROLES'] == 'member,reader'


def test_admin_only_for_configured_users():
    _, seen = identity('admin:p1')
    assert seen['HTTP_X_ROLES'].split(',')[0] == 'admin'


def test_bare_token_uses_the_url_project():
    _, seen = identity('notused', path='/v1/p9/plans')
    assert seen['HTTP_X_USER_ID'] == 'notused'
    assert seen['HTTP_X_PROJECT_ID'] == 'p9'


def test_no_token_is_401_and_roles_cannot_be_injected():
    response, _ = identity(None)
    assert response.status_int == 401
    assert response.json['unauthorized']['error_code'] == \
        'not_authenticated'
    _, seen = identity('bob:p1', headers={'X-Roles': 'admin',
                                          'X-Is-Admin-Project': 'True'})
    assert 'admin' not in seen['HTTP_X_ROLES']
    assert 'HTTP_X_IS_ADMIN_PROJECT' not in seen
