"""The v1 fault envelope.

Clients of Karbor v1 (python-karborclient) read the *first* value of the
error body and its ``message``; we keep that shape and add a stable
``error_code`` and the ``request_id``::

    {"itemNotFound": {"code": 404, "message": "...",
                      "error_code": "plan_not_found",
                      "request_id": "req-..."}}
"""

import json

import webob

FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    406: 'notAcceptable',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    429: 'overLimit',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}

DEFAULT_ERROR_CODES = {
    400: 'invalid_request',
    401: 'not_authenticated',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    406: 'not_acceptable',
    409: 'conflict',
    413: 'request_too_large',
    415: 'unsupported_media_type',
    501: 'not_implemented',
    503: 'service_unavailable',
}


def fault_body(code, message, error_code=None, request_id=None):
    name = FAULT_NAMES.get(code, 'computeFault')
    return {name: {
        'code': code,
        'message': message,
        'error_code': error_code or DEFAULT_ERROR_CODES.get(
            code, 'internal_error'),
        'request_id': request_id,
    }}


def fault_response(code, message, error_code=None, request_id=None,
                   headers=None):
    response = webob.Response(
        status=code, content_type='application/json', charset='utf-8')
    response.body = json.dumps(
        fault_body(code, message, error_code, request_id)).encode('utf-8')
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
