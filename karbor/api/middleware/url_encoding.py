"""Refuses URLs that are not UTF-8 (400), before anything decodes them.

webob decodes the path and the query string as UTF-8 whenever they are
read; checking once here means no later code meets a UnicodeDecodeError
(which would otherwise be a 500).
"""

import urllib.parse

from karbor.api import errors
from karbor.common import exceptions


def _is_utf8(raw):
    try:
        raw.decode('utf-8')
    except UnicodeDecodeError:
        return False
    return True


class UrlEncodingMiddleware:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        # WSGI carries the path as latin-1 text of the raw bytes.
        path = environ.get('PATH_INFO', '').encode('latin-1', 'replace')
        query = urllib.parse.unquote_to_bytes(environ.get('QUERY_STRING',
                                                          ''))
        if not (_is_utf8(path) and _is_utf8(query)):
            error = exceptions.InvalidUrlEncoding()
            response = errors.fault_response(
                error.code, error.msg, error.error_code,
                environ.get('openstack.request_id'))
            return response(environ, start_response)
        return self.application(environ, start_response)
