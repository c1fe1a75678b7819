"""Typed errors raised by the Karbor SDK.

Every error the SDK raises is a KarborError, so a caller (and the CLI) can
catch one class. HTTP errors are mapped from the server's error envelope
``{"<faultName>": {"code", "message", "error_code", "request_id"}}``; the
fault name itself is ignored (python-karborclient reads the first value of
the dict too), because the status code already says what kind of error it is.
"""

import json


class KarborError(Exception):
    """Base class of every SDK error.

    ``str()`` is one line: the server's message, the HTTP status and the
    request id, which is what a user needs to report a problem.
    """

    http_status = None
    default_message = 'Karbor request failed'

    def __init__(self, message=None, *, http_status=None, error_code=None,
                 request_id=None, method=None, url=None, details=None):
        self.message = _one_line(message or self.default_message)
        if http_status is not None:
            self.http_status = http_status
        self.error_code = error_code
        self.request_id = request_id
        self.method = method
        self.url = url
        self.details = details
        super().__init__(self.message)

    def __str__(self):
        text = self.message
        if self.http_status is not None:
            text += ' (HTTP %s)' % self.http_status
        if self.request_id:
            text += ' (Request-ID: %s)' % self.request_id
        return text


class ConfigurationError(KarborError):
    """The client was not given enough to build a request (endpoint...)."""

    default_message = 'Karbor client is not configured'


class ConnectionFailure(KarborError):
    """The endpoint could not be reached, even after the retries."""

    default_message = 'Unable to connect to the Karbor API'
    # The Task-Tag of the mutating request that failed, which may have run
    # (only its answer lost): look it up with client.tasks.find(tag).
    task_tag = None


class ConnectionTimeout(ConnectionFailure):
    default_message = 'Timed out talking to the Karbor API'


class InvalidResponse(KarborError):
    """The server answered, but not with the JSON this SDK expects."""

    default_message = 'Invalid response from the Karbor API'


class CommandError(KarborError):
    """Invalid command-line input, detected before any request is sent."""

    default_message = 'Invalid command'


class WaitTimeout(KarborError):
    """A --wait poll gave up before the resource reached a final status."""

    default_message = 'Timed out waiting for the resource'


class ResourceInErrorState(KarborError):
    """A --wait poll saw the resource reach a failure status."""

    default_message = 'The resource failed'


class HttpError(KarborError):
    """The server answered with an HTTP error status."""

    default_message = 'HTTP error'


class ClientError(HttpError):
    """Any 4xx without a more specific class."""

    default_message = 'Client error'


class BadRequest(ClientError):
    http_status = 400
    default_message = 'Bad request'


class Unauthorized(ClientError):
    http_status = 401
    default_message = 'Authentication failed'


class Forbidden(ClientError):
    http_status = 403
    default_message = 'Forbidden'


class NotFound(ClientError):
    http_status = 404
    default_message = 'Not found'


class MethodNotAllowed(ClientError):
    http_status = 405
    default_message = 'Method not allowed'


class NotAcceptable(ClientError):
    http_status = 406
    default_message = 'Not acceptable'


class Conflict(ClientError):
    http_status = 409
    default_message = 'Conflict'


class RequestEntityTooLarge(ClientError):
    http_status = 413
    default_message = 'Request entity too large'


class UnsupportedMediaType(ClientError):
    http_status = 415
    default_message = 'Unsupported media type'


class FailedDependency(ClientError):
    http_status = 424
    default_message = 'Failed dependency'


class TooManyRequests(ClientError):
    http_status = 429
    default_message = 'Too many requests'


class ServerError(HttpError):
    """Any 5xx without a more specific class."""

    default_message = 'Server error'


class ServiceUnavailable(ServerError):
    http_status = 503
    default_message = 'Service unavailable'


_CLASS_BY_STATUS = {
    cls.http_status: cls
    for cls in (BadRequest, Unauthorized, Forbidden, NotFound,
                MethodNotAllowed, NotAcceptable, Conflict,
                RequestEntityTooLarge, UnsupportedMediaType, FailedDependency,
                TooManyRequests, ServiceUnavailable)
}


def class_for_status(status):
    if status in _CLASS_BY_STATUS:
        return _CLASS_BY_STATUS[status]
    if status >= 500:
        return ServerError
    if status >= 400:
        return ClientError
    return HttpError


def from_response(response, method=None, url=None):
    """Build the typed error for an HTTP error response.

    ``response`` is a requests-like response (status_code, headers, text,
    reason). Bodies that are not the JSON envelope (a proxy's HTML page, a
    flat dict) still give a readable one-line message.
    """
    status = response.status_code
    headers = response.headers
    request_id = (headers.get('x-openstack-request-id')
                  or headers.get('x-compute-request-id'))
    message = error_code = details = None
    fault = _fault_from_body(response.text)
    if isinstance(fault, dict):
        message = fault.get('message')
        error_code = fault.get('error_code')
        details = fault.get('details')
        request_id = request_id or fault.get('request_id')
    elif isinstance(fault, str):
        message = fault
    cls = class_for_status(status)
    return cls(message or response.reason or cls.default_message,
               http_status=status, error_code=error_code,
               request_id=request_id, method=method, url=url,
               details=details)


def _fault_from_body(text):
    """Return the error object of the envelope, or a short text, or None."""
    if not text or not text.strip():
        return None
    try:
        body = json.loads(text)
    except ValueError:
        # Not JSON (a proxy or a crashed server): its first line is the best
        # message there is; cut it so the error stays one readable line.
        return text.strip().splitlines()[0][:200]
    if isinstance(body, dict) and body:
        if 'message' in body:
            return body
        first = next(iter(body.values()))
        if isinstance(first, dict):
            return first
        if isinstance(first, str):
            return first
    return None


def _one_line(text):
    return ' '.join(str(text).split())
