"""Turns every failure below it into the v1 fault envelope.

* A :class:`KarborException` becomes its status with its message and
  ``error_code``.
* Any other exception is a bug or an outage: it is logged with its
  traceback and answered 500 with a generic message, never the traceback.
* An error response produced by a library (pecan's 404/405, webob, the
  auth middleware) without a JSON body is rewritten into the envelope.
"""

import json

from oslo_log import log as logging
import webob

from karbor.api import errors
from karbor.common import exceptions

LOG = logging.getLogger(__name__)

_LIBRARY_MESSAGES = {
    401: 'Authentication required: the token is missing, invalid or '
         'expired.',
    403: 'Access denied.',
    404: 'No API resource at %(path)s.',
    405: 'Method %(method)s is not allowed on %(path)s.',
}


def _request_id(environ):
    return environ.get('openstack.request_id')


class FaultMiddleware:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        request = webob.Request(environ)
        try:
            response = request.get_response(self.application)
        except exceptions.KarborException as err:
            if err.code >= 500:
                LOG.error('%s %s failed: %s', request.method, request.path,
                          err)
            response = errors.fault_response(
                err.code, err.msg, err.error_code, _request_id(environ),
                headers=getattr(err, 'headers', None))
        except Exception:
            LOG.exception('Unexpected error in %s %s', request.method,
                          request.path)
            response = errors.fault_response(
                500, 'The server failed to handle the request; the '
                     'operator can find the details in the log under this '
                     'request id.', 'internal_error', _request_id(environ))
        else:
            if response.status_code >= 400 and not _is_fault(response):
                response = self._envelope(request, response)
        return response(environ, start_response)

    @staticmethod
    def _envelope(request, response):
        template = _LIBRARY_MESSAGES.get(response.status_code)
        library_message = _library_message(response)
        if library_message:
            message = library_message
        elif template:
            message = template % {'path': request.path,
                                  'method': request.method}
        else:
            message = response.status.split(' ', 1)[-1]
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() in ('www-authenticate', 'allow',
                                    'retry-after')}
        error_code = 'route_not_found' if (
            response.status_code == 404 and not library_message) else None
        return errors.fault_response(
            response.status_code, message, error_code,
            _request_id(request.environ), headers=headers)


def _first_value(response):
    if not (response.content_type or '').startswith('application/json'):
        return None
    try:
        body = json.loads(response.body or b'null')
    except ValueError:
        return None
    if isinstance(body, dict) and body:
        value = next(iter(body.values()))
        if isinstance(value, dict):
            return value
    return None


def _is_fault(response):
    """Already Karbor's envelope (made by Karbor's own code)?"""
    error = _first_value(response)
    return error is not None and 'error_code' in error


def _library_message(response):
    """The message of another library's JSON error (keystonemiddleware)."""
    error = _first_value(response)
    message = error.get('message') if error else None
    return message if isinstance(message, str) and message else None
