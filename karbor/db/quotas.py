"""DB API for quotas: limits, their classes, usage, and enforcement.

A project's limit of a resource is its own row in ``quotas``, else the row
of the ``default`` quota class, else the ``[quota]`` option; -1 means
unlimited.

Usage is counted from the live rows (the project's plans; its checkpoints
that are not ``deleted``), never kept as a counter, so it cannot drift: a
checkpoint is released only when its delete completes, and an errored
checkpoint counts until it is deleted. A create checks its quota in the
transaction that inserts, after locking the (project, resource) row of
``quota_usages`` (:func:`check`), so two concurrent creates cannot both
pass the limit.
"""

import threading
import time

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_utils import timeutils
import sqlalchemy as sa

from karbor.common import constants
from karbor.common import exceptions
from karbor.db import models
from karbor.db import session as db_session

CONF = cfg.CONF

PLANS = 'plans'
CHECKPOINTS = 'checkpoints'
RESOURCES = (PLANS, CHECKPOINTS)
DEFAULT_CLASS = 'default'
UNLIMITED = -1


def config_limits():
    """The ``[quota]`` options: the limits when no row sets one."""
    return {resource: getattr(CONF.quota, resource)
            for resource in RESOURCES}


# The enforcement helpers below run Core statements, so they take an ORM
# session or a Core connection alike.

def _rows(session, model, column, value):
    return {row.resource: row.hard_limit for row in session.execute(
        sa.select(model.resource, model.hard_limit).where(
            getattr(model, column) == value,
            model.resource.in_(RESOURCES)))}


def _class_limits(session, class_name):
    limits = config_limits()
    limits.update(_rows(session, models.QuotaClass, 'class_name',
                        class_name))
    return limits


def _project_limits(session, project_id):
    limits = _class_limits(session, DEFAULT_CLASS)
    limits.update(_rows(session, models.Quota, 'project_id', project_id))
    return limits


def defaults(context):
    """The limits of a project that sets none of its own."""
    with db_session.reader(context) as session:
        return _class_limits(session, DEFAULT_CLASS)


def class_get(context, class_name):
    """The limits of a quota class (the options for what it does not set).
    """
    with db_session.reader(context) as session:
        return _class_limits(session, class_name)


def project_get(context, project_id):
    """The effective limits of ``project_id``."""
    with db_session.reader(context) as session:
        return _project_limits(session, project_id)


def _count(session, project_id, resource):
    if resource == PLANS:
        query = sa.select(sa.func.count()).select_from(models.Plan).where(
            models.Plan.project_id == project_id)
    else:
        # Deleting, errored and copy checkpoints still hold bank space.
        query = sa.select(sa.func.count()).select_from(
            models.Checkpoint).where(
            models.Checkpoint.project_id == project_id,
            models.Checkpoint.status != constants.CHECKPOINT_DELETED)
    return session.execute(query).scalar_one()


def usage(context, project_id):
    """{resource: rows in use} of ``project_id``, counted now."""
    with db_session.reader(context) as session:
        return {resource: _count(session, project_id, resource)
                for resource in RESOURCES}


def _upsert(session, model, column, value, limits):
    for resource, hard_limit in limits.items():
        row = session.execute(
            sa.select(model).where(getattr(model, column) == value,
                                   model.resource == resource)
            .with_for_update()).scalars().first()
        if row is None:
            session.add(model(**{column: value, 'resource': resource,
                                 'hard_limit': hard_limit}))
        else:
            row.hard_limit = hard_limit
    session.flush()


def _write(context, model, column, value, limits):
    try:
        with db_session.writer(context) as session:
            _upsert(session, model, column, value, limits)
    except db_exc.DBDuplicateEntry:
        raise exceptions.Conflict(
            reason='the quota of %s was being set by another request at the '
                   'same time; retry' % value) from None
    # This process applies a new limit at once (the others after
    # [quota] unlimited_recheck_seconds).
    forget_prepared()


def project_update(context, project_id, limits):
    """Set some limits of ``project_id`` (a limit below the current usage
    is allowed: it only refuses new creates)."""
    _write(context, models.Quota, 'project_id', project_id, limits)


def project_delete(context, project_id):
    """Forget the project's own limits: it is back to the defaults."""
    with db_session.writer(context) as session:
        session.execute(sa.delete(models.Quota).where(
            models.Quota.project_id == project_id))
    forget_prepared()


def class_update(context, class_name, limits):
    _write(context, models.QuotaClass, 'class_name', class_name, limits)


# -- enforcement -----------------------------------------------------------

def _lock_row(session, project_id, resource):
    return session.execute(
        sa.select(models.QuotaUsage.id).where(
            models.QuotaUsage.project_id == project_id,
            models.QuotaUsage.resource == resource)
        .with_for_update()).first()


def _insert_lock_row(session, project_id, resource):
    now = timeutils.utcnow()
    session.execute(sa.insert(models.QuotaUsage.__table__).values(
        project_id=project_id, resource=resource, created_at=now,
        updated_at=now))


def _limit_and_lock_row_query():
    """The limits that may apply and the lock row, in one round trip."""
    resource = sa.bindparam('resource')
    project_id = sa.bindparam('project_id')
    by_class = sa.select(sa.literal('class').label('source'),
                         models.QuotaClass.hard_limit).where(
        models.QuotaClass.class_name == DEFAULT_CLASS,
        models.QuotaClass.resource == resource)
    by_project = sa.select(sa.literal('project'),
                           models.Quota.hard_limit).where(
        models.Quota.project_id == project_id,
        models.Quota.resource == resource)
    lock_row = sa.select(sa.literal('lock_row'), sa.literal(0)).where(
        models.QuotaUsage.project_id == project_id,
        models.QuotaUsage.resource == resource)
    return sa.union_all(by_class, by_project, lock_row)


_LIMIT_AND_LOCK_ROW = _limit_and_lock_row_query()

# What prepare() learnt, per (project, resource): lock rows, once they
# exist, are never deleted; "no limit" is re-read after
# [quota] unlimited_recheck_seconds.
_PREPARED_LOCK = threading.Lock()
_LOCK_ROWS = set()
_UNLIMITED_UNTIL = {}
_MAX_REMEMBERED = 100000


def _remembered(key):
    """True/False if the answer of prepare() is known, else None."""
    if key in _LOCK_ROWS:
        return True
    until = _UNLIMITED_UNTIL.get(key)
    if until is not None and until > time.monotonic():
        return False
    return None


def _remember(key, limited):
    with _PREPARED_LOCK:
        if len(_LOCK_ROWS) + len(_UNLIMITED_UNTIL) >= _MAX_REMEMBERED:
            _LOCK_ROWS.clear()
            _UNLIMITED_UNTIL.clear()
        if limited:
            _LOCK_ROWS.add(key)
            _UNLIMITED_UNTIL.pop(key, None)
        elif CONF.quota.unlimited_recheck_seconds > 0:
            _UNLIMITED_UNTIL[key] = (time.monotonic() +
                                     CONF.quota.unlimited_recheck_seconds)


def forget_prepared():
    with _PREPARED_LOCK:
        _LOCK_ROWS.clear()
        _UNLIMITED_UNTIL.clear()


def prepare(project_id, resource):
    """Whether ``resource`` may be limited for ``project_id``; if it is,
    make sure its lock row exists.

    Call it before opening the transaction that will :func:`check` and
    insert: the row is created (once per project and resource) in a
    transaction of its own, so the creates' transactions only ever lock an
    existing row (on MySQL, locking a missing one takes a gap lock that two
    transactions can share, and their inserts then deadlock). A resource
    once limited is always locked and checked (the check reads the limit
    again); "no limit" is remembered for a few seconds, so most creates
    do not read the limits twice.
    """
    key = (project_id, resource)
    remembered = _remembered(key)
    if remembered is not None:
        return remembered
    limited = _read_and_prepare(project_id, resource)
    _remember(key, limited)
    return limited


def _read_and_prepare(project_id, resource):
    with db_session.read_connection() as connection:
        found = dict(connection.execute(
            _LIMIT_AND_LOCK_ROW,
            {'project_id': project_id, 'resource': resource}).all())
    limit = found.get('project', found.get('class',
                                           config_limits()[resource]))
    if limit == UNLIMITED:
        return False
    if 'lock_row' not in found:
        try:
            with db_session.writer() as session:
                _insert_lock_row(session, project_id, resource)
        except db_exc.DBDuplicateEntry:
            pass  # created meanwhile by a concurrent create
    return True


def lock(session, project_id, resource):
    """(limit, in use) of ``resource`` for ``project_id``, under its lock;
    in use is None when the limit is -1 (unlimited).

    Call it in the caller's write transaction before anything is read
    there: it takes the project's lock row first, so the count that follows
    sees every row a concurrent create committed (on MySQL it is then the
    transaction's first plain read, which takes the snapshot after the
    lock). The lock is held until the caller's transaction ends.
    """
    if _lock_row(session, project_id, resource) is None:
        # prepare() was not called: create the row here, in a savepoint.
        try:
            with session.begin_nested():
                _insert_lock_row(session, project_id, resource)
        except db_exc.DBDuplicateEntry:
            _lock_row(session, project_id, resource)
    limit = _project_limits(session, project_id)[resource]
    if limit == UNLIMITED:
        return limit, None   # nothing to count
    return limit, _count(session, project_id, resource)


def refuse_over(resource, limit, in_use, requested):
    """QuotaExceeded if ``requested`` more would pass ``limit``."""
    if limit != UNLIMITED and in_use + requested > limit:
        raise exceptions.QuotaExceeded(resource=resource, limit=limit,
                                       in_use=in_use, requested=requested)


def check(session, project_id, resource, requested=1):
    """Refuse ``requested`` more ``resource`` rows for ``project_id`` over
    its limit: in the caller's write transaction, before its inserts."""
    limit, in_use = lock(session, project_id, resource)
    refuse_over(resource, limit, in_use, requested)
