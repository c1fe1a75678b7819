"""Development authentication: the token names the caller.

``X-Auth-Token: <user>:<project>`` authenticates ``user`` in ``project`` with
the member and reader roles; users listed in ``[noauth] admin_users`` get
the admin role as well. A token without a colon names a user of the
project in the URL (this is what ``openstack --os-auth-type none`` sends).
No token at all is a 401, as with Keystone.

The middleware sets the same headers as keystonemiddleware's auth_token,
so everything above it works the same with either.
"""

import re

from oslo_config import cfg

from karbor.api import errors

CONF = cfg.CONF

_PROJECT_IN_PATH = re.compile(r'^/v1/([^/]+)')

_IDENTITY_HEADERS = ('HTTP_X_USER_ID', 'HTTP_X_USER_NAME', 'HTTP_X_USER',
                     'HTTP_X_PROJECT_ID', 'HTTP_X_PROJECT_NAME',
                     'HTTP_X_TENANT_ID', 'HTTP_X_TENANT_NAME',
                     'HTTP_X_ROLES', 'HTTP_X_ROLE', 'HTTP_X_IDENTITY_STATUS',
                     'HTTP_X_SERVICE_CATALOG', 'HTTP_X_IS_ADMIN_PROJECT')


class NoAuthMiddleware:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        # Never trust identity headers sent by the caller.
        for header in _IDENTITY_HEADERS:
            environ.pop(header, None)
        path = environ.get('PATH_INFO', '')
        token = environ.get('HTTP_X_AUTH_TOKEN')
        if not token or not token.strip():
            if not _PROJECT_IN_PATH.match(path):
                return self.application(environ, start_response)
            response = errors.fault_response(
                401, 'Authentication required: send the header '
                     '"X-Auth-Token: <user>:<project>".',
                'not_authenticated', environ.get('openstack.request_id'),
                headers={'WWW-Authenticate': 'Token'})
            return response(environ, start_response)
        user, sep, project = token.strip().partition(':')
        if not sep:
            match = _PROJECT_IN_PATH.match(path)
            project = match.group(1) if match else user
        roles = ['member', 'reader']
        if user in CONF.noauth.admin_users:
            roles.insert(0, 'admin')
        environ.update({
            'HTTP_X_IDENTITY_STATUS': 'Confirmed',
            'HTTP_X_USER_ID': user,
            'HTTP_X_USER_NAME': user,
            'HTTP_X_PROJECT_ID': project,
            'HTTP_X_PROJECT_NAME': project,
            'HTTP_X_ROLES': ','.join(roles),
        })
        return self.application(environ, start_response)
