"""Turns every failure below it into the v1 fault envelope.

* A :class:`KarborException` becomes its status with its message and
  ``error_code``.
* Any other exception is a bug or an outage: it is logged with its
  traceback and answered 500 with a generic message, never the traceback.
* An error response produced by a library (pecan's 404/405, webob, the
  auth middleware) without a JSON body is rewritten into the envelope.

Successful answers pass through untouched: only error answers are read
and rebuilt, so the common case costs one wrapped ``start_response``.
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

# Headers of a library's error answer that the envelope keeps.
_KEPT_HEADERS = ('www-authenticate', 'allow', 'retry-after')


def _request_id(environ):
    return environ.get('openstack.request_id')


class _ErrorAnswer:
    """The status and headers of an error answer, until it is rebuilt."""

    def __init__(self, status, headers):
        self.status = status
        self.headers = headers
        self.written = []

    @property
    def code(self):
        return int(self.status.split(' ', 1)[0])

    def header(self, name):
        name = name.lower()
        return next((value for key, value in self.headers
                     if key.lower() == name), None)


class FaultMiddleware:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        error = None
        started = False

        def start_or_hold(status, headers, exc_info=None):
            nonlocal error, started
            started = True
            if status[:1] in ('4', '5'):
                # Held back until we know whether it needs rewriting.
                error = _ErrorAnswer(status, headers)
                return error.written.append
            return start_response(status, headers, exc_info)

        try:
            body = self.application(environ, start_or_hold)
            if not started:
                # An application that starts its answer only when its body
                # is read: read it now, to know the status.
                body = _read_whole(body)
            if error is None:
                return body
            # An error answer: read it whole (error bodies are small).
            content = b''.join(error.written) + _read_whole(body)[0]
        except exceptions.KarborException as err:
            if err.code >= 500:
                LOG.error('%s %s failed: %s', environ.get('REQUEST_METHOD'),
                          environ.get('PATH_INFO'), err)
            response = errors.fault_response(
                err.code, err.msg, err.error_code, _request_id(environ),
                headers=getattr(err, 'headers', None))
            return response(environ, start_response)
        except Exception:
            LOG.exception('Unexpected error in %s %s',
                          environ.get('REQUEST_METHOD'),
                          environ.get('PATH_INFO'))
            response = errors.fault_response(
                500, 'The server failed to handle the request; the '
                     'operator can find the details in the log under this '
                     'request id.', 'internal_error', _request_id(environ))
            return response(environ, start_response)
        if _is_fault(error.header('Content-Type'), content):
            start_response(error.status, error.headers)
            return [content]
        response = self._envelope(environ, error, content)
        return response(environ, start_response)

    @staticmethod
    def _envelope(environ, error, content):
        request = webob.Request(environ)
        code = error.code
        template = _LIBRARY_MESSAGES.get(code)
        library_message = _library_message(error.header('Content-Type'),
                                           content)
        if library_message:
            message = library_message
        elif template:
            message = template % {'path': request.path,
                                  'method': request.method}
        else:
            message = error.status.split(' ', 1)[-1]
        headers = {key: value for key, value in error.headers
                   if key.lower() in _KEPT_HEADERS}
        error_code = 'route_not_found' if (
            code == 404 and not library_message) else None
        return errors.fault_response(code, message, error_code,
                                     _request_id(environ), headers=headers)


def _read_whole(body):
    try:
        return [b''.join(body)]
    finally:
        close = getattr(body, 'close', None)
        if close is not None:
            close()


def _first_value(content_type, content):
    if not (content_type or '').startswith('application/json'):
        return None
    try:
        body = json.loads(content or b'null')
    except ValueError:
        return None
    if isinstance(body, dict) and body:
        value = next(iter(body.values()))
        if isinstance(value, dict):
            return value
    return None


def _is_fault(content_type, content):
    """Already Karbor's envelope (made by Karbor's own code)?"""
    error = _first_value(content_type, content)
    return error is not None and 'error_code' in error


def _library_message(content_type, content):
    """The message of another library's JSON error (keystonemiddleware)."""
    error = _first_value(content_type, content)
    message = error.get('message') if error else None
    return message if isinstance(message, str) and message else None
