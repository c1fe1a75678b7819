"""A tiny real HTTP server with canned answers, for the SDK and CLI tests.

The SDK is tested through real sockets (keystoneauth, requests) instead of
a mocked transport, so retries on a dropped connection are the real thing.
"""

import http.server
import json
import threading
import urllib.parse

PROJECT = 'demo'


class CannedResponse:
    def __init__(self, status=200, body=None, headers=None, drop=False):
        self.status = status
        self.body = body
        self.headers = headers or {}
        # drop: close the connection without answering (a lost response).
        self.drop = drop


class RecordedRequest:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body) if self.body else None


class FakeKarborServer:
    """Routes are (method, path without query) -> list of CannedResponse;
    each request pops the next one, the last one repeats."""

    def __init__(self):
        self.routes = {}
        self.requests = []
        self._lock = threading.Lock()
        self._httpd = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={'poll_interval': 0.05},
                                        daemon=True)

    @property
    def url(self):
        host, port = self._httpd.server_address[:2]
        return 'http://%s:%d' % (host, port)

    def add(self, method, path, status=200, body=None, headers=None,
            drop=False):
        """Queue an answer for METHOD /v1/demo/<path> (or an absolute
        path starting with '/')."""
        if not path.startswith('/'):
            path = '/v1/%s/%s' % (PROJECT, path)
        self.routes.setdefault((method, path), []).append(
            CannedResponse(status, body, headers, drop))

    def requests_to(self, method, path):
        if not path.startswith('/'):
            path = '/v1/%s/%s' % (PROJECT, path)
        return [r for r in self.requests
                if r.method == method and r.path == path]

    def start(self):
        self._thread.start()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_response(self, method, path):
        with self._lock:
            queue = self.routes.get((method, path))
            if not queue:
                return CannedResponse(404, {'itemNotFound': {
                    'code': 404, 'message': 'No route %s %s' % (method, path),
                    'error_code': 'route_not_found'}})
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def _handler_class(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _handle(self):
                split = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length).decode() if length else ''
                server.requests.append(RecordedRequest(
                    self.command, split.path,
                    urllib.parse.parse_qs(split.query), dict(self.headers),
                    body))
                canned = server._next_response(self.command, split.path)
                if canned.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                payload = b''
                if canned.body is not None:
                    payload = (canned.body if isinstance(canned.body, bytes)
                               else json.dumps(canned.body).encode())
                self.send_response(canned.status)
                headers = {'Content-Type': 'application/json',
                           'x-openstack-request-id': 'req-test-1',
                           'OpenStack-API-Version': 'data-protection 1.0'}
                headers.update(canned.headers)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header('Content-Length', str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            # http.server dispatches on these names.
            do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815

        return Handler


def error_body(fault, code, message, error_code=None, request_id=None):
    return {fault: {'code': code, 'message': message,
                    'error_code': error_code, 'request_id': request_id}}
