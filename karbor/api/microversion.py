"""Microversions: ``OpenStack-API-Version: data-protection X.Y``.

A request without the header gets the base version. The answer always
names the version used and varies on the header. A version outside the
supported range is a 406, a malformed one a 400.

Version history:

* 1.0 - the Karbor v1 API.
"""

import re

from karbor.api import errors
from karbor.common import constants
from karbor.common import exceptions

BASE_VERSION = (1, 0)
MAX_VERSION = (1, 0)

_HEADER_ENV = 'HTTP_OPENSTACK_API_VERSION'
_VERSION_RE = re.compile(r'^([1-9]\d*)\.(0|[1-9]\d*)$')

ENVIRON_KEY = 'karbor.api_version'


def format_version(version):
    return '%d.%d' % version


def parse_header(value):
    """The requested version, or None when the header is not for us.

    The header may list several services (``compute 2.1, data-protection
    1.0``); only ours counts.
    """
    for item in value.split(','):
        parts = item.strip().split(None, 1)
        if len(parts) == 2 and parts[0].lower() == \
                constants.API_VERSION_SERVICE_TYPE:
            requested = parts[1].strip()
            if requested == 'latest':
                return MAX_VERSION
            match = _VERSION_RE.match(requested)
            if not match:
                raise ValueError(requested)
            return int(match.group(1)), int(match.group(2))
    return None


class MicroversionMiddleware:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        header = environ.get(_HEADER_ENV, '')
        version = BASE_VERSION
        if header:
            try:
                requested = parse_header(header)
            except ValueError as err:
                response = errors.fault_response(
                    400, 'The API version "%s" is not of the form '
                         '"data-protection X.Y" or "data-protection '
                         'latest".' % err.args[0], 'invalid_api_version',
                    environ.get('openstack.request_id'))
                return self._answer(response, version)(environ,
                                                       start_response)
            if requested is not None:
                if not BASE_VERSION <= requested <= MAX_VERSION:
                    response = errors.fault_response(
                        406, 'API version %s is not supported; this server '
                             'supports %s to %s.' % (
                                 format_version(requested),
                                 format_version(BASE_VERSION),
                                 format_version(MAX_VERSION)),
                        'api_version_not_acceptable',
                        environ.get('openstack.request_id'))
                    return self._answer(response, version)(environ,
                                                           start_response)
                version = requested
        environ[ENVIRON_KEY] = version

        def _start_response(status, headers, exc_info=None):
            headers = [h for h in headers
                       if h[0].lower() not in ('openstack-api-version',
                                               'vary')]
            headers.extend(self._headers(version))
            return start_response(status, headers, exc_info)

        try:
            return self.application(environ, _start_response)
        except exceptions.KarborException as err:
            # Rendered here, so refused requests also name their version.
            response = errors.fault_response(
                err.code, err.msg, err.error_code,
                environ.get('openstack.request_id'),
                headers=getattr(err, 'headers', None))
            return response(environ, _start_response)

    @staticmethod
    def _headers(version):
        return [(constants.API_VERSION_HEADER, '%s %s' % (
                    constants.API_VERSION_SERVICE_TYPE,
                    format_version(version))),
                ('Vary', constants.API_VERSION_HEADER)]

    def _answer(self, response, version):
        for key, value in self._headers(version):
            response.headers[key] = value
        return response
