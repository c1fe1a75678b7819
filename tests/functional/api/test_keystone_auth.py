"""With auth_strategy=keystone, keystonemiddleware guards the API."""

from oslo_config import cfg

CONF = cfg.CONF


def test_keystone_strategy(api_factory, database):
    CONF.set_override('auth_strategy', 'keystone')
    try:
        from keystonemiddleware import auth_token  # noqa: F401 (options)
        CONF.set_override('www_authenticate_uri', 'http://127.0.0.1:9/v3',
                          group='keystone_authtoken')
        api = api_factory()
        # The version document stays public.
        api.testapp.get('/', status=200)
        response = api.testapp.get('/v1/demo/plans', expect_errors=True)
        assert response.status_int == 401
        error = response.json['unauthorized']
        assert error['error_code'] == 'not_authenticated'
        assert 'WWW-Authenticate' in response.headers
        assert 'plans' not in response.json
    finally:
        CONF.clear_override('auth_strategy')
        CONF.clear_override('www_authenticate_uri',
                            group='keystone_authtoken')
