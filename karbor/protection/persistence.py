"""Taskflow's SQL persistence, in Karbor's own database.

Every flow's progress is saved there as it runs, so a flow whose worker
died is resumed by another worker where it stopped.
"""

import contextlib
import threading

from oslo_config import cfg
from oslo_utils import uuidutils
from taskflow.persistence import backends
from taskflow.persistence import models
from taskflow.persistence.backends import impl_sqlalchemy

from karbor.conf import database as db_conf
from karbor.db import session as db_session

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
    """Hands out one shared connection object.

    Taskflow builds a new connection for every save of a flow's progress,
    and each new connection defines its tables anew, which defeats
    SQLAlchemy's statement cache: that was most of a worker's CPU. The
    connection object holds no database connection of its own (it uses
    the engine's pool for each call), so sharing it is safe.
    """

    _shared = None

    def get_connection(self):
        if self._shared is None:
            with _LOCK:
                if self._shared is None:
                    self._shared = super().get_connection()
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


def new_flow_detail(name):
    book = models.LogBook(name)
    detail = models.FlowDetail(name, uuid=uuidutils.generate_uuid())
    book.add(detail)
    with contextlib.closing(backend().get_connection()) as connection:
        connection.save_logbook(book)
    return book, detail


def load_flow_detail(logbook_id, flow_id):
    """The saved progress of a flow, or (None, None) if it is gone."""
    from taskflow import exceptions as tf_exceptions
    try:
        with contextlib.closing(backend().get_connection()) as connection:
            book = connection.get_logbook(logbook_id)
    except tf_exceptions.NotFound:
        return None, None
    detail = book.find(flow_id)
    return (book, detail) if detail is not None else (None, None)


def forget(logbook_id):
    """Drop a finished flow's progress; the operation row keeps the outcome.
    """
    from taskflow import exceptions as tf_exceptions
    try:
        with contextlib.closing(backend().get_connection()) as connection:
            connection.destroy_logbook(logbook_id)
    except tf_exceptions.NotFound:
        pass
