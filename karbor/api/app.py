"""The WSGI application: pecan controllers inside the middleware chain.

Outermost first: request id → fault envelope → URL encoding check → body
size limit → version document bypass → auth (keystone or noauth) →
microversion → task tag → pecan.
"""

from oslo_config import cfg
from oslo_log import log as logging
import pecan
import webob

from karbor.api import hooks
from karbor.api import microversion
from karbor.api import pecan_speedups
from karbor.api import renderers
from karbor.api.middleware import body_limit
from karbor.api.middleware import fault
from karbor.api.middleware import noauth
from karbor.api.middleware import request_id
from karbor.api.middleware import task_tag
from karbor.api.middleware import url_encoding

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class _Request(pecan.core.Request):
    """Leaves JSON bodies to the controllers.

    Pecan would otherwise decode every JSON body a first time to offer its
    keys as controller arguments (and answer undecodable bytes with its own
    400); the controllers parse and validate bodies themselves.
    """

    # pecan wraps every attribute read of its requests to turn a
    # UnicodeDecodeError of the URL into a 400, a cost on each of the ~100
    # reads of a request; UrlEncodingMiddleware refuses such URLs first.
    __getattribute__ = webob.Request.__getattribute__

    @property
    def json(self):
        raise ValueError('request bodies are parsed by the controllers')


def _pecan_app():
    pecan_speedups.install()
    return pecan.make_app(
        'karbor.api.controllers.root.RootController',
        request_cls=_Request,
        hooks=[hooks.QueryParameterHook()],
        custom_renderers={'json': renderers.JsonRenderer},
        force_canonical=False,
        # Resource types such as OS::Karbor::Directory and ids with dots
        # must reach the controllers untouched.
        guess_content_type_from_ext=False,
        debug=False,
    )


def _keystone(application):
    from keystonemiddleware import auth_token
    return auth_token.AuthProtocol(application, {'oslo_config_config': CONF})


class _UnauthenticatedRoot:
    """Serves the version document at / without authentication."""

    def __init__(self, authenticated, public):
        self.authenticated = authenticated
        self.public = public

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO', '') in ('', '/'):
            return self.public(environ, start_response)
        return self.authenticated(environ, start_response)


def setup_app():
    application = _pecan_app()
    versioned = microversion.MicroversionMiddleware(
        task_tag.TaskTagMiddleware(application))
    if CONF.auth_strategy == 'keystone':
        authenticated = _keystone(versioned)
    else:
        authenticated = noauth.NoAuthMiddleware(versioned)
    application = _UnauthenticatedRoot(authenticated, application)
    application = body_limit.BodyLimitMiddleware(
        application, CONF.api.max_request_body_size)
    application = url_encoding.UrlEncodingMiddleware(application)
    application = fault.FaultMiddleware(application)
    return request_id.RequestIdMiddleware(application)
