"""How Karbor connects to its database: pool checks and the read engine.

Two engines share the database URL:

* the **writer** engine of oslo.db's enginefacade, for transactions;
* the **read** engine, whose connections stay in autocommit mode: a read
  made of one statement needs no transaction, so it costs one round trip
  instead of four (``BEGIN``, the query, ``ROLLBACK``, and the pool's
  liveness ``SELECT 1``). On PostgreSQL (READ COMMITTED) every statement
  sees its own snapshot anyway; on MySQL/MariaDB a multi-statement read
  sees each statement's own snapshot instead of the first one's.

Both check a pooled connection with a ``SELECT 1`` only when it has been
idle longer than ``[database] idle_check_seconds``: a busy pool serves
every request without that extra round trip, and a connection that waited
long enough for the server to have restarted or dropped it is still
checked before use.
"""

import time

from oslo_config import cfg
from oslo_db.sqlalchemy import exc_filters
import sqlalchemy as sa

CONF = cfg.CONF

_IDLE_SINCE = 'karbor_idle_since'


def _record_checkin(dbapi_connection, connection_record):
    connection_record.info[_IDLE_SINCE] = time.monotonic()


def _check_if_idle(dbapi_connection, connection_record, proxy):
    idle_since = connection_record.info.get(_IDLE_SINCE)
    if idle_since is None or \
            time.monotonic() - idle_since < CONF.database.idle_check_seconds:
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute('SELECT 1')
        cursor.fetchall()
    except Exception as err:
        # The pool replaces the connection and tries again.
        raise sa.exc.DisconnectionError(
            'pooled connection failed its liveness check: %s' % err) from err
    finally:
        try:
            cursor.close()
        except Exception:  # noqa: S110 - the connection is being replaced
            pass


def check_idle_connections(engine):
    """Replace the pool's ping-on-every-checkout by a ping-when-idle."""
    # oslo.db creates its engines with pool_pre_ping, a round trip per
    # transaction; the checkout listener below takes over its job.
    engine.pool._pre_ping = False
    sa.event.listen(engine.pool, 'checkin', _record_checkin)
    sa.event.listen(engine.pool, 'checkout', _check_if_idle)


def _skip_rollback(dbapi_connection):
    # Autocommit connections never hold a transaction, but PyMySQL sends
    # a ROLLBACK to the server whenever asked to (psycopg2 and sqlite3
    # already skip it without a transaction).
    return None


def read_engine(url, on_connect=()):
    """An engine of autocommit connections for single-statement reads.

    ``on_connect``: functions called with each new DBAPI connection (the
    SQLite pragmas).
    """
    parsed = sa.engine.make_url(url)
    kwargs = {
        'isolation_level': 'AUTOCOMMIT',
        # Nothing to reset: no transaction is ever left open.
        'pool_reset_on_return': None,
        'pool_recycle': CONF.database.connection_recycle_time,
    }
    backend = parsed.get_backend_name()
    if backend == 'sqlite':
        kwargs['connect_args'] = {'check_same_thread': False}
    else:
        if CONF.database.max_pool_size is not None:
            kwargs['pool_size'] = CONF.database.max_pool_size
        if CONF.database.max_overflow is not None:
            kwargs['max_overflow'] = CONF.database.max_overflow
        if CONF.database.pool_timeout is not None:
            kwargs['pool_timeout'] = CONF.database.pool_timeout
    # The same character sets as oslo.db's writer engine.
    if backend == 'mysql' and 'charset' not in parsed.query:
        kwargs['connect_args'] = {'charset': 'utf8'}
    elif backend == 'postgresql' and 'client_encoding' not in parsed.query:
        kwargs['client_encoding'] = 'utf8'
    engine = sa.create_engine(parsed, **kwargs)
    if backend == 'mysql':
        engine.dialect.do_rollback = _skip_rollback
    for hook in on_connect:
        sa.event.listen(engine, 'connect', hook)
    check_idle_connections(engine)
    # Database errors become oslo.db's exceptions, as on the writer.
    exc_filters.register_engine(engine)
    return engine
