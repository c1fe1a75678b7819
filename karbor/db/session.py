"""The database engine facade shared by every DB API module.

Use ``with reader(context) as session`` / ``with writer(context) as session``.
A nested writer joins the outer transaction, so several DB API calls made
inside one ``writer`` block commit or roll back together.
"""

import contextlib
import os
import threading

from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

from karbor.conf import database as db_conf

CONF = cfg.CONF

_LOCK = threading.Lock()
_FACADE = None


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
    facade.configure(connection=url, sqlite_fk=True, on_engine_create=hooks)
    return facade


def get_facade():
    global _FACADE
    if _FACADE is None:
        with _LOCK:
            if _FACADE is None:
                _FACADE = _build_facade()
    return _FACADE


def reset():
    """Forget the engine, so the next use connects with current options.

    Used after a fork (each process needs its own connection pool) and by
    tests that point the service at another database.
    """
    global _FACADE
    with _LOCK:
        if _FACADE is not None:
            try:
                _FACADE.dispose_pool()
            except Exception:  # noqa: S110 - best effort on shutdown
                pass
        _FACADE = None


def get_engine():
    return get_facade().writer.get_engine()


class _Holder:
    """A context for the facade when the caller has no request context."""


def _target(context):
    return context if context is not None else _Holder()


def reader(context=None):
    return get_facade().reader.using(_target(context))


@contextlib.contextmanager
def writer(context=None):
    """A write transaction; the first of a request also records its task.

    The task of a mutating API request (set on the context by the task-tag
    middleware) is inserted before anything else in the request's first
    write transaction, and tied to what that transaction created or
    changed just before it commits: a request's task exists exactly when
    its first state change does.
    """
    pending = getattr(context, 'pending_task', None)
    first = pending is not None and not pending.recorded
    with get_facade().writer.using(_target(context)) as session:
        if not first:
            yield session
            return
        from karbor.db import tasks
        pending.recorded = True
        try:
            tasks.insert(session, pending)
            yield session
            tasks.link(session, pending)
        except BaseException:
            pending.recorded = False
            raise
