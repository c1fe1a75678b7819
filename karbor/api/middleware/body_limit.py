"""Refuses request bodies larger than [api] max_request_body_size (413)."""

import io

from karbor.api import errors


class BodyLimitMiddleware:

    def __init__(self, application, limit):
        self.application = application
        self.limit = limit

    def _too_large(self, environ, start_response):
        response = errors.fault_response(
            413, 'The request body is larger than the limit of %d bytes.'
            % self.limit, 'request_too_large',
            environ.get('openstack.request_id'))
        return response(environ, start_response)

    def __call__(self, environ, start_response):
        length = environ.get('CONTENT_LENGTH')
        if length:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0:
                response = errors.fault_response(
                    400, 'Content-Length %r is not a number of bytes.'
                    % length, 'invalid_content_length',
                    environ.get('openstack.request_id'))
                return response(environ, start_response)
            if declared > self.limit:
                return self._too_large(environ, start_response)
        elif environ.get('HTTP_TRANSFER_ENCODING', '').lower() == 'chunked':
            # Without a length, read at most limit+1 bytes to decide.
            body = environ['wsgi.input'].read(self.limit + 1)
            if len(body) > self.limit:
                return self._too_large(environ, start_response)
            environ['wsgi.input'] = io.BytesIO(body)
            environ['CONTENT_LENGTH'] = str(len(body))
        return self.application(environ, start_response)
