"""The HTTP layer of the SDK: one place for headers, retries and errors.

Managers only say "GET this path" or "POST this body"; this module turns it
into a keystoneauth request against ``<endpoint>/v1/<project_id>``, retries
connection failures, and turns error answers into typed exceptions.
"""

import collections
import json
import logging
import re
import threading
import time
import urllib.parse
import uuid

from keystoneauth1 import exceptions as ks_exc

from karbor.client import exceptions

LOG = logging.getLogger('karbor.client.http')

API_VERSION_HEADER = 'OpenStack-API-Version'
API_SERVICE_NAME = 'data-protection'
TASK_TAG_HEADER = 'Task-Tag'
TASK_ID_HEADER = 'Task-Id'
TASK_REPLAYED_HEADER = 'Task-Replayed'
MUTATING_METHODS = frozenset(('POST', 'PUT', 'PATCH', 'DELETE'))
_SECRET_HEADER = re.compile(r'token|auth|key|secret|password', re.IGNORECASE)
_PROJECT_URL = re.compile(r'/v1/[^/]+$')
_ERRNO_REASON = re.compile(r'\[Errno -?\d+\] ([^\'")]+)')

DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 3
DEFAULT_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0


# What the server said about the task of a mutating call: its id, the tag
# sent, and whether the answer is a replay (the request was not run again).
TaskInfo = collections.namedtuple('TaskInfo', ('task_id', 'tag', 'replayed'))


def new_task_tag():
    return str(uuid.uuid4())


def project_url(endpoint, project_id):
    """Return the ``.../v1/<project_id>`` base URL for an endpoint.

    Accepts the server root (``http://host:8799``), ``.../v1``, or a URL
    that already holds the project (what python-karborclient and the
    upstream Keystone catalog entries use).
    """
    base = endpoint.rstrip('/')
    if _PROJECT_URL.search(base):
        return base
    if not project_id:
        raise exceptions.ConfigurationError(
            'No project id: give project_id (--os-project-id, '
            'OS_PROJECT_ID) or an endpoint ending in /v1/<project_id>')
    if base.endswith('/v1'):
        return '%s/%s' % (base, project_id)
    return '%s/v1/%s' % (base, project_id)


def encode_query(params):
    """Encode query parameters, dropping unset values, keys sorted.

    Sorting makes URLs stable (logs and tests); ``True`` becomes ``1``
    because that is what the server (and the old client) understand. A
    list or tuple value repeats the parameter (``extra_info=a:1&
    extra_info=b:2``, ``started_at=gte:..&started_at=lt:..``), in order.
    """
    pairs = []
    for key in sorted(params or {}):
        value = params[key]
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None or item is False:
                continue
            if item is True:
                item = 1
            pairs.append((key, item))
    return urllib.parse.urlencode(pairs)


class HTTPClient:
    """Sends requests for one project; shared by all managers of a Client."""

    def __init__(self, adapter, *, endpoint=None, project_id=None,
                 timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES,
                 retry_delay=DEFAULT_RETRY_DELAY, api_version='1.0',
                 task_tag_factory=new_task_tag, sleep=time.sleep):
        self.adapter = adapter
        self._endpoint = endpoint
        self._project_id = project_id
        self._base_url = None
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.retry_delay = retry_delay
        self.api_version = api_version
        self.task_tag_factory = task_tag_factory
        self._sleep = sleep
        self._local = threading.local()

    @property
    def last_task(self):
        """TaskInfo of this thread's last answered mutating call, or None."""
        return getattr(self._local, 'last_task', None)

    @property
    def base_url(self):
        # Resolved on first use: with Keystone, the catalog and the project
        # are only known once the session has authenticated.
        if self._base_url is None:
            endpoint = self._endpoint or self._endpoint_from_catalog()
            project_id = self._project_id
            if not project_id and not _PROJECT_URL.search(
                    endpoint.rstrip('/')):
                project_id = self._call_auth(self._project_from_auth)
            self._base_url = project_url(endpoint, project_id)
        return self._base_url

    def _project_from_auth(self):
        try:
            return self.adapter.get_project_id()
        except ks_exc.MissingAuthPlugin:
            return None   # no token at all: project_url() says what to do

    def _endpoint_from_catalog(self):
        endpoint = self._call_auth(self.adapter.get_endpoint)
        if not endpoint:
            raise exceptions.ConfigurationError(
                'No endpoint: give one (--os-endpoint, KARBOR_ENDPOINT) or '
                'register the data-protect service in the Keystone catalog')
        return endpoint

    def url_for(self, path, params=None):
        url = self.base_url + '/' + path.lstrip('/')
        query = encode_query(params) if isinstance(params, dict) else params
        return url + '?' + query if query else url

    def get(self, path, params=None):
        return self.request('GET', path, params=params)

    def post(self, path, body=None, task_tag=None):
        return self.request('POST', path, body=body, task_tag=task_tag)

    def put(self, path, body=None, task_tag=None):
        return self.request('PUT', path, body=body, task_tag=task_tag)

    def delete(self, path, task_tag=None):
        return self.request('DELETE', path, task_tag=task_tag)

    def request(self, method, path, *, params=None, body=None,
                task_tag=None):
        """Send one logical call; return the parsed JSON body (or None).

        ``params`` is a dict, or an already encoded query string (a next
        link's). Mutating calls carry a Task-Tag that is generated once here
        and sent unchanged on every retry, so the server can recognise a
        retry of a request it already ran (the response was lost).
        """
        url = self.url_for(path, params)
        headers = {
            'Accept': 'application/json',
            API_VERSION_HEADER: '%s %s' % (API_SERVICE_NAME,
                                           self.api_version),
        }
        data = None
        if body is not None:
            data = json.dumps(body)
            headers['Content-Type'] = 'application/json'
        tag = None
        if method in MUTATING_METHODS:
            tag = headers[TASK_TAG_HEADER] = (task_tag
                                              or self.task_tag_factory())
        try:
            response = self._send_with_retries(method, url, headers, data)
        except exceptions.ConnectionFailure as exc:
            if tag is not None:
                # The request may have run and only its answer been lost:
                # its tag is how the caller finds out (and retries safely).
                exc.task_tag = tag
                exc.message += ('; the request may have been carried out, '
                                'its Task-Tag is %s' % tag)
            raise
        if tag is not None:
            self._record_task(response, tag)
        if response.status_code >= 400:
            raise exceptions.from_response(response, method, url)
        return self._json_body(response, method, url)

    def _send_with_retries(self, method, url, headers, data):
        attempt = 0
        while True:
            if LOG.isEnabledFor(logging.DEBUG):
                _log_request(method, url, self._auth_headers_for_log(headers),
                             data, attempt)
            started = time.monotonic()
            try:
                response = self.adapter.request(
                    url, method, headers=headers, data=data,
                    raise_exc=False, connect_retries=0, log=False,
                    timeout=self.timeout)
            except (ks_exc.ConnectFailure, ks_exc.ConnectTimeout) as exc:
                # Only a failed connection is retried: an HTTP answer, even
                # a 503, is the server's decision and goes to the caller.
                if attempt >= self.retries:
                    raise _connection_error(exc, method, url,
                                            attempt) from exc
                delay = min(self.retry_delay * 2 ** attempt, MAX_RETRY_DELAY)
                LOG.debug('connection failed (%s); retry %d/%d in %.1fs',
                          _reason(exc), attempt + 1, self.retries, delay)
                self._sleep(delay)
                attempt += 1
                continue
            except ks_exc.ClientException as exc:
                raise from_keystoneauth(exc) from exc
            _log_response(response, time.monotonic() - started)
            return response

    def _record_task(self, response, tag):
        task_id = response.headers.get(TASK_ID_HEADER)
        replayed = (response.headers.get(TASK_REPLAYED_HEADER, '').lower()
                    == 'true')
        self._local.last_task = TaskInfo(task_id, tag, replayed)
        if task_id:
            LOG.debug('Task-Id: %s (Task-Tag: %s)%s', task_id, tag,
                      ' replayed: the request was not run again'
                      if replayed else '')

    def _auth_headers_for_log(self, headers):
        # The session adds the token itself; show that it does (redacted)
        # so a --debug trace tells whether a token was sent at all.
        try:
            auth_headers = self.adapter.session.get_auth_headers(
                auth=self.adapter.auth) or {}
        except Exception:   # noqa: BLE001 - a debug trace must never fail
            auth_headers = {}   # the request (its own error comes next)
        return dict(headers, **auth_headers)

    def _call_auth(self, func):
        try:
            return func()
        except (ks_exc.ConnectFailure, ks_exc.ConnectTimeout) as exc:
            raise _connection_error(exc, 'GET', None, 0) from exc
        except ks_exc.ClientException as exc:
            raise from_keystoneauth(exc) from exc

    @staticmethod
    def _json_body(response, method, url):
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise exceptions.InvalidResponse(
                'Expected JSON from %s %s, got %r' % (
                    method, url, response.text[:80]),
                http_status=response.status_code,
                request_id=response.headers.get('x-openstack-request-id'),
            ) from exc


def from_keystoneauth(exc):
    """Map an error raised by keystoneauth itself (Keystone, catalog)."""
    if isinstance(exc, ks_exc.HttpError):
        cls = exceptions.class_for_status(exc.http_status)
        return cls('Keystone: %s' % (exc.message or exc),
                   http_status=exc.http_status, request_id=exc.request_id)
    if isinstance(exc, (ks_exc.EndpointNotFound, ks_exc.CatalogException)):
        return exceptions.ConfigurationError(
            'No data-protect endpoint in the Keystone catalog: %s' % exc)
    if isinstance(exc, ks_exc.MissingRequiredOptions):
        names = ', '.join('--os-%s' % o.dest.replace('_', '-')
                          for o in exc.options)
        return exceptions.ConfigurationError(
            'Missing authentication option(s): %s' % names)
    return exceptions.KarborError(str(exc))


def _connection_error(exc, method, url, retries):
    cls = (exceptions.ConnectionTimeout
           if isinstance(exc, ks_exc.ConnectTimeout)
           else exceptions.ConnectionFailure)
    where = url.split('?')[0] if url else 'the authentication endpoint'
    message = 'Unable to connect to %s: %s' % (where, _reason(exc))
    if retries:
        message += ' (after %d retries)' % retries
    return cls(message, method=method, url=url)


def _reason(exc):
    """The short cause ("Connection refused") hidden in a long message."""
    text = str(exc)
    match = _ERRNO_REASON.search(text)
    if match:
        return match.group(1).strip()
    if isinstance(exc, ks_exc.ConnectTimeout):
        return 'timed out'
    if 'RemoteDisconnected' in text or 'Connection aborted' in text:
        return 'connection closed without a response'
    return text


def _redact(headers):
    return {name: ('<redacted>' if _SECRET_HEADER.search(name) else value)
            for name, value in headers.items()}


def _log_request(method, url, headers, data, attempt):
    lines = ['REQ: %s %s%s' % (method, url,
                               ' (retry %d)' % attempt if attempt else '')]
    lines += ['  %s: %s' % item for item in _redact(headers).items()]
    if data:
        lines.append('  body: %s' % data)
    LOG.debug('\n'.join(lines))


def _log_response(response, elapsed):
    if not LOG.isEnabledFor(logging.DEBUG):
        return
    lines = ['RESP: %s %s (%.3fs)' % (response.status_code, response.reason,
                                      elapsed)]
    lines += ['  %s: %s' % item for item in
              _redact(dict(response.headers)).items()]
    if response.content:
        lines.append('  body: %s' % response.text)
    LOG.debug('\n'.join(lines))
