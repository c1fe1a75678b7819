"""DB API for verifications."""

import sqlalchemy as sa

from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import session as db_session

FILTERS = ('status', 'checkpoint_id', 'provider_id')


def _scoped(query, project_id):
    if project_id is not None:
        query = query.where(models.Verification.project_id == project_id)
    return query


def verification_get(context, verification_id, project_id=None):
    with db_session.reader(context) as session:
        verification = session.execute(
            _scoped(sa.select(models.Verification), project_id).where(
                models.Verification.id == verification_id)
        ).scalars().first()
        if verification is None:
            raise exceptions.VerificationNotFound(
                verification_id=verification_id)
        return verification


def verification_list(context, project_id, filters=None, sort=(),
                      limit=1000, marker=None):
    with db_session.reader(context) as session:
        base = _scoped(sa.select(models.Verification), project_id)
        query = base
        for key, value in (filters or {}).items():
            query = query.where(getattr(models.Verification, key) == value)
        return pagination.page(session, query, models.Verification, sort,
                               limit, marker, marker_query=base)


def update_resource_status(context, verification_id, resource_key, status,
                           reason=None, keep=()):
    """Record how the check of one resource went.

    A resource already in one of ``keep`` is left as it is (a resumed
    flow must not turn a recorded failure into a success).
    """
    with db_session.writer(context) as session:
        verification = session.execute(
            sa.select(models.Verification)
            .where(models.Verification.id == verification_id)
            .with_for_update()).scalars().first()
        if verification is None:
            raise exceptions.VerificationNotFound(
                verification_id=verification_id)
        statuses = dict(verification.resources_status)
        if statuses.get(resource_key) in keep:
            return
        reasons = dict(verification.resources_reason)
        statuses[resource_key] = status
        if reason:
            reasons[resource_key] = reason
        verification.resources_status = statuses
        verification.resources_reason = reasons
