"""DB API for restores."""

import sqlalchemy as sa

from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import session as db_session

FILTERS = ('status', 'checkpoint_id', 'provider_id')


def _scoped(query, project_id):
    if project_id is not None:
        query = query.where(models.Restore.project_id == project_id)
    return query


def restore_get(context, restore_id, project_id=None):
    with db_session.reader(context) as session:
        restore = session.execute(
            _scoped(sa.select(models.Restore), project_id).where(
                models.Restore.id == restore_id)).scalars().first()
        if restore is None:
            raise exceptions.RestoreNotFound(restore_id=restore_id)
        return restore


def restore_list(context, project_id, filters=None, sort=(), limit=1000,
                 marker=None):
    with db_session.reader(context) as session:
        base = _scoped(sa.select(models.Restore), project_id)
        query = base
        for key, value in (filters or {}).items():
            query = query.where(getattr(models.Restore, key) == value)
        return pagination.page(session, query, models.Restore, sort, limit,
                               marker, marker_query=base)


def update_resource_status(context, restore_id, resource_key, status,
                           reason=None):
    """Record how one resource of a restore went."""
    with db_session.writer(context) as session:
        restore = session.execute(
            sa.select(models.Restore).where(models.Restore.id == restore_id)
            .with_for_update()).scalars().first()
        if restore is None:
            raise exceptions.RestoreNotFound(restore_id=restore_id)
        statuses = dict(restore.resources_status)
        reasons = dict(restore.resources_reason)
        statuses[resource_key] = status
        if reason:
            reasons[resource_key] = reason
        restore.resources_status = statuses
        restore.resources_reason = reasons
