"""The database engine facade shared by every DB API module.

Use ``with reader(context) as session`` / ``with writer(context) as session``.
A nested writer joins the outer transaction, so several DB API calls made
inside one ``writer`` block commit or roll back together; so does a
reader nested in a writer (it sees what the writer has not committed yet).
Any other reader runs on the autocommit read engine (karbor.db.engines):
each of its statements is a transaction of its own.
"""

import contextlib
import os
import threading

from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa
from sqlalchemy import orm

from karbor.conf import database as db_conf
from karbor.db import engines

CONF = cfg.CONF

_LOCK = threading.Lock()
_FACADE = None
_READ_ENGINE = None
# Per thread: ids of the contexts with a writer transaction open.
_WRITING = threading.local()


def _sqlite_pragmas(dbapi_connection, connection_record):
    cursor = dbapi_connection.cursor()
    # WAL lets API readers run while a worker writes; busy_timeout makes a
    # writer wait for the lock instead of failing at once.
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA busy_timeout=30000')
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.close()


def _sqlite_begin(connection):
    # A deferred transaction that reads and then writes can deadlock with
    # another writer, and SQLite then fails at once instead of waiting.
    # Taking the write lock up front makes transactions queue instead
    # (readers of other connections are not blocked in WAL mode).
    # oslo.db emits a plain BEGIN unless this flag says one was emitted.
    if 'in_transaction' not in connection.info:
        connection.exec_driver_sql('BEGIN IMMEDIATE')
        connection.info['in_transaction'] = True


def _sqlite_engine(engine):
    sa.event.listen(engine, 'connect', _sqlite_pragmas)
    # Replace oslo.db's deferred BEGIN with ours (it keeps its own
    # commit/rollback bookkeeping of the same flag).
    for listener in list(engine.dispatch.begin):
        if getattr(listener, '__name__', '') == '_sqlite_emit_begin':
            sa.event.remove(engine, 'begin', listener)
    sa.event.listen(engine, 'begin', _sqlite_begin)


def _build_facade():
    # oslo.db reads the rest of the [database] options itself on start.
    facade = enginefacade.transaction_context()
    url = db_conf.connection_url()
    hooks = []
    if url.startswith('sqlite'):
        hooks.append(_sqlite_engine)
        path = sa.engine.make_url(url).database
        if path and path != ':memory:':
            # The embedded default's state directory may not exist yet.
            os.makedirs(os.path.dirname(os.path.abspath(path)),
                        exist_ok=True)
    hooks.append(engines.check_idle_connections)
    # thread_checkin would sleep(0) at every connection checkin, a
    # cooperative yield for eventlet that only costs threads a switch.
    facade.configure(connection=url, sqlite_fk=True, thread_checkin=False,
                     on_engine_create=hooks)
    return facade


def get_facade():
    global _FACADE
    if _FACADE is None:
        with _LOCK:
            if _FACADE is None:
                _FACADE = _build_facade()
    return _FACADE


def _build_read_engine():
    url = db_conf.connection_url()
    if url.startswith('sqlite'):
        if sa.engine.make_url(url).database in (None, '', ':memory:'):
            return None     # another engine would see another database
        return engines.read_engine(url, on_connect=[_sqlite_pragmas])
    return engines.read_engine(url)


def get_read_engine():
    """The autocommit engine of readers, None where there is none."""
    global _READ_ENGINE
    if _READ_ENGINE is None:
        get_facade()    # creates the state directory of SQLite files
        with _LOCK:
            if _READ_ENGINE is None:
                _READ_ENGINE = _build_read_engine() or False
    return _READ_ENGINE or None


def reset():
    """Forget the engine, so the next use connects with current options.

    Used after a fork (each process needs its own connection pool) and by
    tests that point the service at another database.
    """
    global _FACADE, _READ_ENGINE
    with _LOCK:
        if _FACADE is not None:
            try:
                _FACADE.dispose_pool()
            except Exception:  # noqa: S110 - best effort on shutdown
                pass
        if _READ_ENGINE:
            _READ_ENGINE.dispose()
        _FACADE = None
        _READ_ENGINE = None


def get_engine():
    return get_facade().writer.get_engine()


class _Holder:
    """A context for the facade when the caller has no request context."""


def _target(context):
    return context if context is not None else _Holder()


def _writing(target):
    return id(target) in getattr(_WRITING, 'ids', ())


@contextlib.contextmanager
def _marked_writing(target):
    ids = getattr(_WRITING, 'ids', None)
    if ids is None:
        ids = _WRITING.ids = set()
    if id(target) in ids:
        yield
        return
    ids.add(id(target))
    try:
        yield
    finally:
        ids.discard(id(target))


@contextlib.contextmanager
def _autocommit_session(engine):
    with engine.connect() as connection:
        session = orm.Session(bind=connection, expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()


def reader(context=None):
    target = _target(context)
    engine = get_read_engine()
    if engine is None or _writing(target):
        return get_facade().reader.using(target)
    return _autocommit_session(engine)


@contextlib.contextmanager
def read_connection(context=None):
    """A Core connection for reads that select columns, not entities.

    Cheaper than :func:`reader`'s ORM session where the ORM is not needed
    (the hot API reads); same rules for joining a writer.
    """
    target = _target(context)
    engine = get_read_engine()
    if engine is None or _writing(target):
        with get_facade().reader.using(target) as session:
            yield session.connection()
        return
    with engine.connect() as connection:
        yield connection


@contextlib.contextmanager
def writer(context=None):
    """A write transaction; the first of a request also records its task.

    The task of a mutating API request (set on the context by the task-tag
    middleware) is recorded in the request's first write transaction, tied
    to what that transaction created or changed: a request's task exists
    exactly when its first state change does. A tagged task is inserted
    before anything else (its duplicates collide on the tag before they
    change anything) and completed just before commit; an untagged one is
    inserted complete just before commit.
    """
    target = _target(context)
    with _marked_writing(target), \
            get_facade().writer.using(target) as session:
        with _recording_task(context, session.connection(), session):
            yield session


@contextlib.contextmanager
def write_connection(context=None):
    """A write transaction on a Core connection, without an ORM session.

    For DB API functions that write with Core statements only (a tenth of
    a millisecond less per transaction); the same rules as :func:`writer`,
    whose transactions it joins. Such a function says what it created with
    karbor.db.tasks.note_created.
    """
    target = _target(context)
    with _marked_writing(target), \
            get_facade().writer.connection.using(target) as connection:
        with _recording_task(context, connection):
            yield connection


@contextlib.contextmanager
def _recording_task(context, connection, session=None):
    """Record the request's task in its first write transaction."""
    pending = getattr(context, 'pending_task', None)
    if pending is None or pending.recorded:
        yield
        return
    from karbor.db import tasks
    pending.recorded = True
    try:
        if pending.tag is not None:
            tasks.insert(connection, pending)
            yield
            tasks.link(connection, pending, session)
        else:
            yield
            tasks.insert_linked(connection, pending, session)
    except BaseException:
        pending.recorded = False
        raise
