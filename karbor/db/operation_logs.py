"""DB API for operation logs.

Logs are opened and closed by karbor.db.operations inside the transactions
that accept and finish operations; this module holds those two steps and
the queries of the API.
"""

import collections
import json

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from karbor.common import constants
from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import session as db_session

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

EQUALITY_FILTERS = ('operation_type', 'checkpoint_id', 'plan_id',
                    'restore_id', 'verification_id', 'copy_id',
                    'scheduled_operation_id', 'provider_id')


def open_log(session, operation, scheduled_operation_id=None,
             task_tag=None, extra_info=None):
    """Start the log of ``operation`` (in the accepting transaction)."""
    running = constants.OPERATION_LOG_STATUSES[operation.operation_type][0]
    log = models.OperationLog(
        id=uuidutils.generate_uuid(), project_id=operation.project_id,
        user_id=operation.user_id, request_id=operation.request_id,
        task_tag=task_tag, operation_id=operation.id,
        operation_type=operation.operation_type,
        checkpoint_id=operation.checkpoint_id, plan_id=operation.plan_id,
        provider_id=operation.provider_id, restore_id=operation.restore_id,
        verification_id=operation.verification_id,
        copy_id=operation.copy_id,
        scheduled_operation_id=scheduled_operation_id, status=running,
        started_at=timeutils.utcnow(), extra_info=extra_info)
    session.add(log)
    return log


def close_log(session, operation, success, reason=None):
    """End the log of ``operation`` (in the finishing transaction).

    Only a log still in its type's running status moves, to that type's
    success or failure status: the transitions of every type are in
    constants.OPERATION_LOG_STATUSES.
    """
    running, done, failed = constants.OPERATION_LOG_STATUSES[
        operation.operation_type]
    log = session.execute(
        sa.select(models.OperationLog).where(
            models.OperationLog.operation_id == operation.id)
        .with_for_update()).scalars().first()
    if log is None or log.status != running:
        return log
    log.status = done if success else failed
    log.ended_at = timeutils.utcnow()
    log.error_info = None if success else reason
    return log


def add_extra_info(context, operation_id, values):
    """Merge a plugin's ``values`` into the log's extra_info, if they fit."""
    with db_session.writer(context) as session:
        log = session.execute(
            sa.select(models.OperationLog).where(
                models.OperationLog.operation_id == operation_id)
            .with_for_update()).scalars().first()
        if log is None:
            return False
        merged = dict(log.extra_info or {})
        merged.update(values)
        size = len(json.dumps(merged, sort_keys=True))
        if size > CONF.operation_log.max_extra_info_bytes:
            LOG.warning('Extra info of operation %s refused: %d bytes, more '
                        'than [operation_log] max_extra_info_bytes (%d)',
                        operation_id, size,
                        CONF.operation_log.max_extra_info_bytes)
            return False
        log.extra_info = merged
        return True


# Lists and shows read rows (Core), not ORM entities: the page is
# rendered as it is read.
_LOGS = models.OperationLog.__table__


def _scoped(query, project_id, provider_id):
    if project_id is not None:
        query = query.where(_LOGS.c.project_id == project_id)
    if provider_id is not None:
        query = query.where(_LOGS.c.provider_id == provider_id)
    return query


# A log as read: its columns, read like a model (and faster than a
# SQLAlchemy row).
LogRecord = collections.namedtuple('LogRecord', [c.name for c in _LOGS.c])


def log_get(context, log_id, project_id=None, provider_id=None):
    with db_session.read_connection(context) as connection:
        log = connection.execute(
            _scoped(sa.select(_LOGS), project_id, provider_id)
            .where(_LOGS.c.id == log_id)).first()
    if log is None:
        raise exceptions.OperationLogNotFound(log_id=log_id)
    return LogRecord(*log)


_RANGES = {'gte': '__ge__', 'gt': '__gt__', 'lte': '__le__', 'lt': '__lt__'}


def log_list(context, project_id, provider_id=None, filters=None,
             statuses=None, ranges=(), sort=(), limit=1000, marker=None):
    """One page of logs.

    ``filters``: column == value; ``statuses``: status IN (...);
    ``ranges``: (column, operator, datetime) with operators gte/gt/lte/lt.
    """
    base = _scoped(sa.select(_LOGS), project_id, provider_id)
    query = base
    for key, value in (filters or {}).items():
        query = query.where(_LOGS.c[key] == value)
    if statuses:
        query = query.where(_LOGS.c.status.in_(statuses))
    for column, operator, value in ranges:
        query = query.where(getattr(_LOGS.c[column], _RANGES[operator])(value))
    if project_id is not None:
        # MySQL/MariaDB would walk every project's logs in time order
        # (that index gives the ORDER BY without a sort) to find one
        # project's page: 1.7 s with a million logs, against milliseconds
        # from the project's own indexes, which end with the sort key too.
        for dialect in ('mysql', 'mariadb'):
            query = query.with_hint(
                _LOGS, 'IGNORE INDEX FOR ORDER BY '
                '(ix_operation_logs_started_id)', dialect_name=dialect)
    with db_session.read_connection(context) as connection:
        rows, has_more = pagination.page(
            connection, query, models.OperationLog, sort, limit, marker,
            marker_query=base, core=True)
    return [LogRecord(*row) for row in rows], has_more


def purge(context, before, batch_size=None):
    """Delete finished logs that ended before ``before``; returns how many.

    Works in batches of [operation_log] purge_batch_size rows, one short
    transaction each.
    """
    batch_size = batch_size or CONF.operation_log.purge_batch_size
    total = 0
    while True:
        with db_session.writer(context) as session:
            ids = session.execute(
                sa.select(models.OperationLog.id)
                .where(models.OperationLog.ended_at.is_not(None),
                       models.OperationLog.ended_at < before)
                .limit(pagination.literal_count(batch_size))).scalars().all()
            if ids:
                session.execute(sa.delete(models.OperationLog).where(
                    models.OperationLog.id.in_(ids)))
        total += len(ids)
        if len(ids) < batch_size:
            return total
