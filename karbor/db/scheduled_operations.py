"""DB API for scheduled operations (the engine's side is scheduled_runs)."""

import sqlalchemy as sa

from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import session as db_session
from karbor.db import triggers as db_triggers

FILTERS = ('name', 'operation_type', 'trigger_id', 'plan_id', 'provider_id',
           'enabled')
Op = models.ScheduledOperation


def _scoped(query, project_id):
    if project_id is not None:
        query = query.where(Op.project_id == project_id)
    return query


def _get(session, operation_id, project_id, lock=False):
    query = _scoped(sa.select(Op), project_id).where(Op.id == operation_id)
    if lock:
        query = query.with_for_update()
    operation = session.execute(query).scalars().first()
    if operation is None:
        raise exceptions.ScheduledOperationNotFound(
            operation_id=operation_id)
    return operation


def operation_create(context, values, next_run_at):
    """Create an operation on its trigger; ``next_run_at(properties)`` is
    its first due time. The trigger is locked so that it cannot be deleted
    under the new operation."""
    with db_session.writer(context) as session:
        trigger = db_triggers._get(session, values['trigger_id'],
                                   values['project_id'], lock=True)
        operation = Op(next_run_at=next_run_at(trigger.properties)
                       if values.get('enabled', True) else None, **values)
        session.add(operation)
        session.flush()
    return operation


def operation_get(context, operation_id, project_id=None):
    with db_session.reader(context) as session:
        return _get(session, operation_id, project_id)


def operation_list(context, project_id, filters=None, sort=(), limit=1000,
                   marker=None):
    with db_session.reader(context) as session:
        base = _scoped(sa.select(Op), project_id)
        query = base
        for key, value in (filters or {}).items():
            query = query.where(getattr(Op, key) == value)
        return pagination.page(session, query, Op, sort, limit, marker,
                               marker_query=base)


def operation_update(context, operation_id, project_id, values,
                     next_run_at):
    """Rename, describe, enable or disable. Enabling schedules the next
    occurrence after now (runs missed while disabled are not caught up);
    disabling clears it, so no engine claims a run."""
    with db_session.writer(context) as session:
        operation = _get(session, operation_id, project_id, lock=True)
        was_enabled = operation.enabled
        for key, value in values.items():
            setattr(operation, key, value)
        if operation.enabled and not was_enabled:
            trigger = db_triggers._get(session, operation.trigger_id, None)
            operation.next_run_at = next_run_at(trigger.properties)
        elif not operation.enabled:
            operation.next_run_at = None
        session.flush()
    return operation


def operation_delete(context, operation_id, project_id):
    """Delete an operation and its run history. A run already started goes
    on: its checkpoint or copy is an ordinary one from then on."""
    with db_session.writer(context) as session:
        operation = _get(session, operation_id, project_id, lock=True)
        session.execute(sa.delete(models.ScheduledRun).where(
            models.ScheduledRun.scheduled_operation_id == operation_id))
        session.delete(operation)


def operations_of_plan(context, plan_id):
    with db_session.reader(context) as session:
        return session.execute(
            sa.select(Op.id).where(Op.plan_id == plan_id)
            .order_by(Op.id)).scalars().all()


def runs_list(context, operation_id, project_id, filters=None, sort=(),
              limit=1000, marker=None):
    """The runs of one operation, newest due time first by default."""
    run = models.ScheduledRun
    with db_session.reader(context) as session:
        _get(session, operation_id, project_id)
        base = sa.select(run).where(
            run.scheduled_operation_id == operation_id)
        query = base
        for key, value in (filters or {}).items():
            query = query.where(getattr(run, key) == value)
        return pagination.page(session, query, run,
                               sort or [('due_at', 'desc')], limit, marker,
                               marker_query=base)


def last_runs(context, operation_ids):
    """{operation id: its run with the latest due time}."""
    if not operation_ids:
        return {}
    run = models.ScheduledRun
    with db_session.reader(context) as session:
        latest = (sa.select(run.scheduled_operation_id,
                            sa.func.max(run.due_at).label('due_at'))
                  .where(run.scheduled_operation_id.in_(operation_ids))
                  .group_by(run.scheduled_operation_id).subquery())
        rows = session.execute(
            sa.select(run).join(latest, sa.and_(
                run.scheduled_operation_id ==
                latest.c.scheduled_operation_id,
                run.due_at == latest.c.due_at))).scalars().all()
        return {row.scheduled_operation_id: row for row in rows}
