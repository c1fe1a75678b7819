"""DB API for tasks (mutating requests, optionally tagged by the client).

The API's task-tag middleware puts a :class:`PendingTask` on the request
context; the first write transaction of the request inserts it (see
karbor.db.session.writer), so the task is committed together with the
request's first state change, or not at all. Concurrent requests with one
tag collide on the unique (project_id, tag) index before they change
anything else: exactly one of them executes.
"""

import dataclasses
import datetime

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_utils import timeutils
import sqlalchemy as sa

from karbor.common import constants
from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import session as db_session

CONF = cfg.CONF

# What a resource type is called in tasks, by model.
RESOURCE_MODELS = (
    (models.Copy, 'copy'),
    (models.Restore, 'restore'),
    (models.Verification, 'verification'),
    (models.Checkpoint, 'checkpoint'),
    (models.Plan, 'plan'),
    (models.Service, 'service'),
    (models.ScheduledOperation, 'scheduled_operation'),
    (models.Trigger, 'trigger'),
)

STATES = ('accepted', 'running', 'succeeded', 'failed')

_INSERT_TASK = sa.insert(models.Task.__table__)


@dataclasses.dataclass
class PendingTask:
    id: str
    project_id: str
    tag: str | None
    user_id: str | None
    request_id: str | None
    action: str
    method: str
    path: str
    fingerprint: str
    resource_type: str | None = None
    resource_id: str | None = None
    resource_path: str | None = None
    recorded: bool = False
    # (resource type, id) a DB API function wrote without the ORM (so the
    # session cannot tell), noted with :func:`note_created`.
    created: tuple | None = None


def note_created(context, resource_type, resource_id):
    """Tell the request's task what a Core insert created."""
    pending = getattr(context, 'pending_task', None)
    if pending is not None and pending.created is None:
        pending.created = (resource_type, resource_id)


def _expiry():
    return timeutils.utcnow() + datetime.timedelta(
        hours=CONF.task.tag_ttl_hours)


def _task_values(pending, **links):
    values = dict(
        id=pending.id, project_id=pending.project_id, tag=pending.tag,
        user_id=pending.user_id, request_id=pending.request_id,
        action=pending.action, method=pending.method, path=pending.path,
        fingerprint=pending.fingerprint,
        resource_type=pending.resource_type,
        resource_id=pending.resource_id,
        resource_path=pending.resource_path, expires_at=_expiry())
    values.update(links)
    now = timeutils.utcnow()
    values.update(created_at=now, updated_at=now)
    return values


def _insert_task(connection, values):
    try:
        connection.execute(_INSERT_TASK, values)
    except db_exc.DBDuplicateEntry:
        raise exceptions.TaskTagTaken(tag=values['tag']) from None


def insert(connection, pending):
    """Insert ``pending`` first thing in the request's first transaction.

    For a tagged request: its duplicates collide on the tag before they
    change anything. :func:`link` completes the row before commit.
    """
    _insert_task(connection, _task_values(pending))


def insert_linked(connection, pending, session=None):
    """Insert ``pending`` last thing in the request's first transaction,
    tied to what the transaction created or changed (in ``session``, if
    it ran in an ORM session).

    For an untagged request, which no other request can collide with: one
    insert instead of an insert, a read and an update.
    """
    if session is not None:
        session.flush()
    _insert_task(connection,
                 _task_values(pending, **_links(session, pending)))


def link(connection, pending, session=None):
    """Before commit: tie the inserted task to what the request created or
    changed."""
    links = _links(session, pending)
    changed = {key: value for key, value in links.items()
               if value != getattr(pending, key, None)}
    if changed:
        connection.execute(sa.update(models.Task).where(
            models.Task.id == pending.id).values(
                updated_at=timeutils.utcnow(), **changed))


def _links(session, pending):
    """The operation and the resource this transaction added, loaded or
    changed (the resource only if the request's route did not name one):
    what a DB API function noted, else the ORM objects of ``session``.
    """
    objects = [] if session is None else [
        obj for obj in list(session.identity_map.values()) +
        list(session.new) if not isinstance(obj, models.Task)]
    links = {'operation_id': next((obj.id for obj in objects
                                   if isinstance(obj, models.Operation)),
                                  None)}
    if pending.resource_id is not None:
        return links
    if pending.created is not None:
        name, resource_id = pending.created
        links.update(resource_type=name, resource_id=resource_id)
        if pending.method == 'POST' and pending.resource_path is None:
            links['resource_path'] = _created_path(pending, name,
                                                   resource_id)
        return links
    for model, name in RESOURCE_MODELS:
        found = next((obj for obj in objects if isinstance(obj, model)),
                     None)
        if found is not None and pending.resource_type in (None, name):
            links.update(resource_type=name, resource_id=str(found.id))
            if pending.method == 'POST' and pending.resource_path is None:
                links['resource_path'] = _created_path(pending, name,
                                                       found.id)
            break
    return links


def _created_path(pending, name, resource_id):
    """Where a POST's new resource is shown (for replays)."""
    if name == 'copy':
        # Created by .../checkpoints/action, shown under /copies.
        return '/v1/%s/copies/%s' % (pending.project_id, resource_id)
    return '%s/%s' % (pending.path.rstrip('/'), resource_id)


def store_response(context, task_id, status, body):
    """Keep the answer of a tagged request for replays (best effort)."""
    if body is not None and len(body) > CONF.task.max_stored_response_bytes:
        body = None
    if isinstance(body, bytes):
        # A text column: bytes would be stored escaped by some drivers.
        body = body.decode('utf-8', errors='replace')
    with db_session.writer(context) as session:
        session.execute(sa.update(models.Task).where(
            models.Task.id == task_id).values(
                response_status=status, response_body=body,
                updated_at=timeutils.utcnow()))


def get_by_tag(context, project_id, tag):
    """The live task of ``tag`` in ``project_id``; expired ones are freed.
    """
    with db_session.writer(context) as session:
        task = session.execute(
            sa.select(models.Task).where(models.Task.project_id ==
                                         project_id,
                                         models.Task.tag == tag)
        ).scalars().first()
        if task is not None and task.expires_at < timeutils.utcnow():
            # The window has passed: the tag may be used for a new request;
            # the old task stays findable by id without its tag.
            task.tag = None
            return None
        return task


def _with_state(query):
    operation = models.Operation
    state = sa.case(
        (operation.state == constants.OPERATION_PENDING, 'accepted'),
        (operation.state == constants.OPERATION_RUNNING, 'running'),
        (sa.and_(operation.state == constants.OPERATION_DONE,
                 operation.error_info.is_not(None)), 'failed'),
        (models.Task.response_status >= 400, 'failed'),
        else_='succeeded').label('state')
    return query.add_columns(state, operation.error_info,
                             operation.updated_at).outerjoin(
        operation, operation.id == models.Task.operation_id)


def task_get(context, task_id, project_id):
    with db_session.reader(context) as session:
        row = session.execute(_with_state(sa.select(models.Task)).where(
            models.Task.id == task_id, models.Task.project_id == project_id)
        ).first()
        if row is None:
            raise exceptions.TaskNotFound(task_id=task_id)
        return row


def task_list(context, project_id, filters=None, states=None, since=None,
              until=None, sort=(), limit=1000, marker=None):
    """One page of (task, state, error) rows."""
    with db_session.reader(context) as session:
        base = sa.select(models.Task).where(
            models.Task.project_id == project_id)
        query = base
        for key, value in (filters or {}).items():
            query = query.where(getattr(models.Task, key) == value)
        if since is not None:
            query = query.where(models.Task.created_at >= since)
        if until is not None:
            query = query.where(models.Task.created_at < until)
        query = _with_state(query)
        if states:
            query = query.where(_state_clause(states))
        query, sort = pagination.ordered(query, models.Task, sort)
        if marker is not None:
            marker_row = session.execute(base.where(
                models.Task.id == marker)).scalars().first()
            if marker_row is None:
                raise exceptions.InvalidMarker(marker=marker)
            query = pagination.after_marker(query, models.Task, sort,
                                            marker_row)
        rows = session.execute(
            query.limit(pagination.literal_count(limit + 1))).all()
        return rows[:limit], len(rows) > limit


def _state_clause(states):
    operation = models.Operation
    clauses = {
        'accepted': operation.state == constants.OPERATION_PENDING,
        'running': operation.state == constants.OPERATION_RUNNING,
        'failed': sa.or_(
            sa.and_(operation.state == constants.OPERATION_DONE,
                    operation.error_info.is_not(None)),
            sa.and_(models.Task.operation_id.is_(None),
                    models.Task.response_status >= 400)),
        'succeeded': sa.or_(
            sa.and_(operation.state == constants.OPERATION_DONE,
                    operation.error_info.is_(None)),
            sa.and_(models.Task.operation_id.is_(None),
                    sa.or_(models.Task.response_status.is_(None),
                           models.Task.response_status < 400))),
    }
    return sa.or_(*(clauses[state] for state in states))


def purge_expired(context, batch_size=1000):
    """Delete expired tasks, in batches; returns how many."""
    total = 0
    while True:
        with db_session.writer(context) as session:
            ids = session.execute(
                sa.select(models.Task.id).where(
                    models.Task.expires_at < timeutils.utcnow())
                .limit(pagination.literal_count(batch_size))
            ).scalars().all()
            if ids:
                session.execute(sa.delete(models.Task).where(
                    models.Task.id.in_(ids)))
        total += len(ids)
        if len(ids) < batch_size:
            return total
