"""Taskflow's SQL persistence, in Karbor's own database.

Every flow's progress is saved there as it runs, so a flow whose worker
died is resumed by another worker where it stopped.
"""

import contextlib
import threading

from oslo_config import cfg
from oslo_utils import uuidutils
from taskflow import exceptions as tf_exceptions
from taskflow.persistence import backends
from taskflow.persistence import models
from taskflow.persistence.backends import impl_sqlalchemy

from karbor.conf import database as db_conf
from karbor.db import session as db_session
from karbor.protection import persistence_connection

CONF = cfg.CONF

_LOCK = threading.Lock()
_BACKEND = None


def _url(url=None):
    url = url or db_conf.connection_url()
    if url.startswith('sqlite') and 'timeout=' not in url:
        # Wait for the SQLite write lock rather than failing at once.
        url += ('&' if '?' in url else '?') + 'timeout=30'
    return url


class _Backend(impl_sqlalchemy.SQLAlchemyBackend):
    """Hands out one shared connection object, Karbor's own.

    Taskflow builds a new connection for every save of a flow's progress,
    and each new connection defines its tables anew, which defeats
    SQLAlchemy's statement cache. The connection object holds no database
    connection of its own (it uses the engine's pool for each call), so
    sharing it is safe.
    """

    _shared = None

    def get_connection(self):
        if self._shared is None:
            with _LOCK:
                if self._shared is None:
                    self._shared = persistence_connection.Connection(
                        self, self._upgrade_lock)
        return self._shared


def backend():
    """Taskflow's backend on Karbor's own engine (one pool, and on SQLite
    the same transaction discipline)."""
    global _BACKEND
    if _BACKEND is None:
        with _LOCK:
            if _BACKEND is None:
                _BACKEND = _Backend({'connection': _url()},
                                    engine=db_session.get_engine())
    return _BACKEND


def reset():
    global _BACKEND
    # The engine belongs to karbor.db.session, which disposes of it.
    with _LOCK:
        _BACKEND = None


def upgrade(url=None):
    """Create or upgrade taskflow's tables (karbor-manage db sync)."""
    store = backends.fetch({'connection': _url(url)})
    try:
        with contextlib.closing(store.get_connection()) as connection:
            connection.upgrade()
    finally:
        store.close()


def _tables():
    return backend().get_connection().tables


def _flow_name(operation):
    return '%s-%s' % (operation.operation_type, operation.id)


def create_flow(session, operation):
    """Give a claimed operation a flow to save its progress in, if it has
    none yet (in the claim's transaction)."""
    if operation.logbook_id is not None:
        return
    tables = _tables()
    name = _flow_name(operation)
    operation.logbook_id = uuidutils.generate_uuid()
    operation.flow_id = uuidutils.generate_uuid()
    session.execute(tables.logbooks.insert(),
                    {'uuid': operation.logbook_id, 'name': name})
    session.execute(tables.flowdetails.insert(),
                    {'uuid': operation.flow_id, 'name': name,
                     'parent_uuid': operation.logbook_id})


def fresh_flow(operation):
    """The flow create_flow has just stored, without reading it back."""
    name = _flow_name(operation)
    book = models.LogBook(name, uuid=operation.logbook_id)
    detail = models.FlowDetail(name, uuid=operation.flow_id)
    book.add(detail)
    return book, detail


def load_flow_detail(logbook_id, flow_id):
    """The saved progress of a flow, or (None, None) if it is gone."""
    try:
        with contextlib.closing(backend().get_connection()) as connection:
            book = connection.get_logbook(logbook_id)
    except tf_exceptions.NotFound:
        return None, None
    detail = book.find(flow_id)
    return (book, detail) if detail is not None else (None, None)


def forget_flow(session, operation):
    """Drop an ending operation's flow (in the transaction that ends it):
    the operation row keeps the outcome."""
    if operation.logbook_id is not None:
        logbooks = _tables().logbooks
        session.execute(logbooks.delete().where(
            logbooks.c.uuid == operation.logbook_id))
