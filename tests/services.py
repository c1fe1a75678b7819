"""Access to the real servers the functional tests use.

On a laptop without a server, the tests that need it are skipped with the
reason. In CI (CI=true) a missing server is a failure: .ci/run starts
them, so absence means something is broken.
"""

import os
import socket
import uuid

import pytest

MYSQL_URL = os.environ.get(
    'KARBOR_TEST_MYSQL_URL', 'mysql+pymysql://root@127.0.0.1:3306')
POSTGRESQL_URL = os.environ.get(
    'KARBOR_TEST_POSTGRESQL_URL', 'postgresql+psycopg://postgres@127.0.0.1:5432')
RABBIT_URL = os.environ.get(
    'KARBOR_TEST_RABBIT_URL', 'rabbit://guest:guest@127.0.0.1:5672/')

IN_CI = os.environ.get('CI', '').lower() in ('1', 'true', 'yes')


def _port_open(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(name, host, port):
    """Skip (or fail in CI) unless ``host:port`` accepts connections."""
    if _port_open(host, port):
        return
    message = '%s is not reachable at %s:%d' % (name, host, port)
    if IN_CI:
        pytest.fail(message + ' (CI must provide it)')
    pytest.skip(message)


def _admin_engine(url):
    import sqlalchemy as sa
    return sa.create_engine(url, isolation_level='AUTOCOMMIT',
                            poolclass=sa.pool.NullPool)


class Database:
    """A fresh database on a server, dropped when the tests are done."""

    def __init__(self, backend):
        self.backend = backend
        self.name = 'karbor_test_%s' % uuid.uuid4().hex[:12]
        if backend == 'sqlite':
            self.url = None  # set by the caller (a file in a temp dir)
            return
        if backend == 'mysql':
            require('MariaDB/MySQL', '127.0.0.1', 3306)
            self.server_url = MYSQL_URL
            self.url = '%s/%s?charset=utf8mb4' % (MYSQL_URL, self.name)
        elif backend == 'postgresql':
            require('PostgreSQL', '127.0.0.1', 5432)
            self.server_url = POSTGRESQL_URL
            self.url = '%s/%s' % (POSTGRESQL_URL, self.name)
        else:
            raise ValueError(backend)
        import sqlalchemy as sa
        admin_db = '/test' if backend == 'postgresql' else '/'
        engine = _admin_engine(self.server_url + admin_db)
        with engine.connect() as connection:
            connection.execute(sa.text('CREATE DATABASE %s' % self.name))
        engine.dispose()

    def drop(self):
        if self.backend == 'sqlite':
            return
        import sqlalchemy as sa
        admin_db = '/test' if self.backend == 'postgresql' else '/'
        engine = _admin_engine(self.server_url + admin_db)
        with engine.connect() as connection:
            if self.backend == 'postgresql':
                connection.execute(sa.text(
                    'DROP DATABASE IF EXISTS %s WITH (FORCE)' % self.name))
            else:
                connection.execute(sa.text(
                    'DROP DATABASE IF EXISTS %s' % self.name))
        engine.dispose()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
