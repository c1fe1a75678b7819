"""Fixtures of the functional tests.

* ``database``: a migrated database on SQLite, MariaDB or PostgreSQL
  (parametrized where a test asks for ``any_database``).
* ``api``: the real WSGI application (every middleware) in front of that
  database, with a protection worker answering RPC in this process over the
  in-process transport.
* ``embedded_server``: ``karbor-all`` started as a separate process, as a
  user would start it.
"""

import dataclasses
import os
import subprocess
import sys
import time
import urllib.request

from oslo_config import cfg
import pytest
import sqlalchemy as sa
import webtest

from karbor import policy
from karbor import rpc
from karbor.api import app as api_app
from karbor.api import known_resources
from karbor.db import migration
from karbor.db import models
from karbor.db import quotas as db_quotas
from karbor.db import session as db_session
from karbor.protection import manager
from karbor.protection import persistence
from karbor.protection import providers
from karbor.protection import rpcapi
from tests import services

CONF = cfg.CONF
BIN = os.path.dirname(sys.executable)

NOOP_PROVIDER_ID = 'b766f37c-d011-4026-8228-28730d734a3f'


def use_database(url):
    CONF.set_override('connection', url, group='database')
    db_session.reset()
    persistence.reset()
    migration.db_sync()


def empty_database():
    engine = db_session.get_engine()
    with engine.begin() as connection:
        for table in reversed(models.Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(scope='session')
def _databases(tmp_path_factory):
    created = {}

    def get(backend):
        if backend not in created:
            db = services.Database(backend)
            if backend == 'sqlite':
                db.url = 'sqlite:///%s' % (
                    tmp_path_factory.mktemp('sqlite') / 'karbor.sqlite')
            created[backend] = db
        return created[backend]

    yield get
    db_session.reset()
    for db in created.values():
        db.drop()


def _database_fixture(request, _databases, backend):
    db = _databases(backend)
    use_database(db.url)
    yield db
    empty_database()


@pytest.fixture
def database(request, _databases):
    """SQLite: the default back end of tests that are not about the DB."""
    yield from _database_fixture(request, _databases, 'sqlite')


@pytest.fixture(params=['sqlite', 'mysql', 'postgresql'])
def any_database(request, _databases):
    """Each of the three back ends in turn."""
    yield from _database_fixture(request, _databases, request.param)


@pytest.fixture(scope='session')
def protection_worker(karbor_config, _databases):
    """A protection worker in this process, on the in-process transport."""
    import oslo_messaging as messaging
    use_database(_databases('sqlite').url)
    # Short leases and scans, so that recovery happens within a test.
    CONF.set_override('lease_seconds', 3, group='protection')
    CONF.set_override('recovery_interval', 1, group='protection')
    CONF.set_override('pending_grace_seconds', 2, group='protection')
    worker = manager.ProtectionManager()
    worker.init_host()
    server = rpc.get_server(
        messaging.Target(topic=CONF.protection.topic, server='test-worker'),
        [worker])
    server.start()
    yield worker
    server.stop()
    server.wait()
    worker.cleanup_host()


@pytest.fixture(scope='session')
def data_root(karbor_config):
    root = CONF.directory_protectable.roots[0]
    os.makedirs(root, exist_ok=True)
    return root


@pytest.fixture(scope='session')
def s3_server(tmp_path_factory):
    """A real S3 server on loopback (rclone serve s3), for the session."""
    from tests import s3server
    server = s3server.RcloneS3Server(tmp_path_factory.mktemp('s3') / 'root')
    server.start()
    yield server
    server.stop()


def add_provider(tmp_path, text):
    """Offer the shipped providers plus one defined by ``text``."""
    extra = tmp_path / 'providers.d'
    extra.mkdir(exist_ok=True)
    (extra / 'extra.conf').write_text(text)
    CONF.set_override('provider_config_dirs',
                      providers.default_config_dirs() + [str(extra)],
                      group='protection')
    providers.reset()


@pytest.fixture
def extra_providers():
    """Undoes add_provider after the test."""
    yield add_provider
    CONF.clear_override('provider_config_dirs', group='protection')
    providers.reset()


@pytest.fixture
def directory(data_root):
    """A protectable directory; returns (id, name)."""
    from karbor.protection.protectables import directory as directory_plugin
    path = os.path.join(data_root, 'vol-%d' % time.monotonic_ns())
    os.makedirs(path)
    return directory_plugin.directory_id(path), os.path.basename(path)


class Client:
    """webtest with the headers of a user of one project."""

    def __init__(self, testapp, token, project_id):
        self.app = testapp
        self.token = token
        self.project_id = project_id

    def url(self, path):
        return '/v1/%s%s' % (self.project_id, path)

    def request(self, method, path, body=None, status=None, headers=None,
                raw_url=False):
        all_headers = {'X-Auth-Token': self.token}
        if body is not None:
            all_headers['Content-Type'] = 'application/json'
        all_headers.update(headers or {})
        url = path if raw_url else self.url(path)
        kwargs = {'headers': all_headers, 'expect_errors': True}
        if method in ('POST', 'PUT'):
            if body is not None and not isinstance(body, (str, bytes)):
                import json
                body = json.dumps(body)
            response = getattr(self.app, method.lower())(
                url, params=body or '', **kwargs)
        else:
            response = getattr(self.app, method.lower())(url, **kwargs)
        if status is not None:
            assert response.status_int == status, (
                '%s %s: expected %s, got %s %s' % (
                    method, url, status, response.status, response.text))
        return response

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request('POST', path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request('PUT', path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)


@dataclasses.dataclass
class Api:
    testapp: webtest.TestApp
    user: Client
    other: Client
    admin: Client

    def client(self, token, project_id):
        return Client(self.testapp, token, project_id)


@pytest.fixture
def api_factory(protection_worker):
    """Builds the API app; reloads providers and policy for each test."""
    def build():
        providers.reset()
        policy.reset()
        rpcapi.reset()
        known_resources.forget_all()
        db_quotas.forget_prepared()
        testapp = webtest.TestApp(api_app.setup_app())
        return Api(testapp=testapp,
                   user=Client(testapp, 'demo:demo', 'demo'),
                   other=Client(testapp, 'alice:other', 'other'),
                   admin=Client(testapp, 'admin:admin', 'admin'))
    return build


@pytest.fixture
def api(database, api_factory):
    return api_factory()


@pytest.fixture
def any_api(any_database, api_factory):
    return api_factory()


def count_rows(table):
    with db_session.get_engine().connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(
                models.Base.metadata.tables[table])).scalar_one()


# -- karbor-all in its own process -----------------------------------------

@dataclasses.dataclass
class EmbeddedServer:
    url: str
    token: str
    admin_token: str
    project_id: str
    state_path: str
    env: dict
    process: subprocess.Popen

    @property
    def project_url(self):
        return '%s/v1/%s' % (self.url, self.project_id)


def wait_for_http(url, process=None, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError('%s exited with %s' % (process.args,
                                                      process.returncode))
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError('%s did not answer within %ds' % (url, timeout))


def stop_process(process, timeout=15):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope='session')
def embedded_server(tmp_path_factory):
    state = tmp_path_factory.mktemp('embedded')
    port = services.free_port()
    env = dict(os.environ)
    env.update({
        'OS_DEFAULT__STATE_PATH': str(state),
        'OS_API__PORT': str(port),
        'PATH': BIN + os.pathsep + env.get('PATH', ''),
    })
    log = open(state / 'karbor-all.log', 'wb')
    process = subprocess.Popen([os.path.join(BIN, 'karbor-all')], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = 'http://127.0.0.1:%d' % port
    try:
        wait_for_http(url + '/', process)
    except Exception:
        stop_process(process)
        log.close()
        raise RuntimeError(
            (state / 'karbor-all.log').read_text()[-4000:]) from None
    client_env = dict(env)
    client_env.update({'KARBOR_ENDPOINT': url, 'OS_TOKEN': 'demo:demo',
                       'OS_PROJECT_ID': 'demo'})
    yield EmbeddedServer(url=url, token='demo:demo',
                         admin_token='admin:admin', project_id='demo',
                         state_path=str(state), env=client_env,
                         process=process)
    stop_process(process)
    log.close()
