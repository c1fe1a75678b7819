"""DB API for triggers."""

import sqlalchemy as sa

from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import session as db_session

FILTERS = ('name', 'type')


def named(ids, most=5):
    """Ids for a message: the first few, and how many more."""
    shown = ', '.join(ids[:most])
    return shown if len(ids) <= most else '%s and %d more' % (
        shown, len(ids) - most)


def _scoped(query, project_id):
    if project_id is not None:
        query = query.where(models.Trigger.project_id == project_id)
    return query


def _get(session, trigger_id, project_id, lock=False):
    query = _scoped(sa.select(models.Trigger), project_id).where(
        models.Trigger.id == trigger_id)
    if lock:
        query = query.with_for_update()
    trigger = session.execute(query).scalars().first()
    if trigger is None:
        raise exceptions.TriggerNotFound(trigger_id=trigger_id)
    return trigger


def trigger_create(context, values):
    trigger = models.Trigger(**values)
    with db_session.writer(context) as session:
        session.add(trigger)
        session.flush()
    return trigger


def trigger_get(context, trigger_id, project_id=None):
    with db_session.reader(context) as session:
        return _get(session, trigger_id, project_id)


def trigger_list(context, project_id, filters=None, sort=(), limit=1000,
                 marker=None):
    with db_session.reader(context) as session:
        base = _scoped(sa.select(models.Trigger), project_id)
        query = base
        for key, value in (filters or {}).items():
            query = query.where(getattr(models.Trigger, key) == value)
        return pagination.page(session, query, models.Trigger, sort, limit,
                               marker, marker_query=base)


def trigger_update(context, trigger_id, project_id, values,
                   next_run_at=None):
    """Change a trigger; ``next_run_at(properties)`` gives the new due time
    of each enabled scheduled operation that uses it, in the same
    transaction (so no engine fires a run of the old pattern after it)."""
    with db_session.writer(context) as session:
        trigger = _get(session, trigger_id, project_id, lock=True)
        for key, value in values.items():
            setattr(trigger, key, value)
        if next_run_at is not None and 'properties' in values:
            session.execute(
                sa.update(models.ScheduledOperation)
                .where(models.ScheduledOperation.trigger_id == trigger_id,
                       models.ScheduledOperation.enabled.is_(True))
                .values(next_run_at=next_run_at(trigger.properties)))
        session.flush()
    return trigger


def trigger_delete(context, trigger_id, project_id):
    """Delete an unused trigger; refused while operations use it."""
    with db_session.writer(context) as session:
        trigger = _get(session, trigger_id, project_id, lock=True)
        users = session.execute(
            sa.select(models.ScheduledOperation.id)
            .where(models.ScheduledOperation.trigger_id == trigger_id)
            .order_by(models.ScheduledOperation.id)).scalars().all()
        if users:
            raise exceptions.TriggerInUse(
                trigger_id=trigger_id, operations=named(users))
        session.delete(trigger)
