"""DB API for plans and their resources."""

from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm

from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import quotas as db_quotas
from karbor.db import session as db_session

EQUALITY_FILTERS = ('name', 'status', 'description', 'provider_id')


def _resource_rows(resources):
    return [models.PlanResource(position=i, resource_id=r['id'],
                                resource_type=r['type'],
                                resource_name=r['name'],
                                extra_info=r.get('extra_info'))
            for i, r in enumerate(resources)]


def _scoped(query, project_id):
    if project_id is not None:
        query = query.where(models.Plan.project_id == project_id)
    return query


def plan_create(context, values):
    values = dict(values)
    resources = values.pop('resources', [])
    plan = models.Plan(**values)
    plan.resources = _resource_rows(resources)
    limited = db_quotas.prepare(plan.project_id, db_quotas.PLANS)
    with db_session.writer(context) as session:
        if limited:
            # Lock, count and insert in one transaction.
            db_quotas.check(session, plan.project_id, db_quotas.PLANS)
        session.add(plan)
        session.flush()
    return plan


def plan_get(context, plan_id, project_id=None):
    with db_session.reader(context) as session:
        # One round trip for the plan and its resources.
        query = _scoped(sa.select(models.Plan), project_id).where(
            models.Plan.id == plan_id).options(
                orm.joinedload(models.Plan.resources))
        plan = session.execute(query).unique().scalars().first()
        if plan is None:
            raise exceptions.PlanNotFound(plan_id=plan_id)
        return plan


def plan_list(context, project_id=None, filters=None, sort=(), limit=1000,
              marker=None):
    """One page of plans; ``project_id=None`` means every project."""
    with db_session.reader(context) as session:
        query = _scoped(sa.select(models.Plan), project_id)
        for key, value in (filters or {}).items():
            if key not in EQUALITY_FILTERS:
                raise exceptions.InvalidQueryParameter(
                    reason='plans cannot be filtered by %s' % key)
            query = query.where(getattr(models.Plan, key) == value)
        return pagination.page(
            session, query, models.Plan, sort, limit, marker,
            marker_query=_scoped(sa.select(models.Plan), project_id))


def plan_update(context, plan_id, values, project_id=None):
    values = dict(values)
    resources = values.pop('resources', None)
    with db_session.writer(context) as session:
        query = _scoped(sa.select(models.Plan), project_id).where(
            models.Plan.id == plan_id).with_for_update()
        plan = session.execute(query).scalars().first()
        if plan is None:
            raise exceptions.PlanNotFound(plan_id=plan_id)
        for key, value in values.items():
            setattr(plan, key, value)
        if resources is not None:
            plan.resources = []
            session.flush()
            plan.resources = _resource_rows(resources)
        plan.updated_at = timeutils.utcnow()
        session.flush()
        return plan


def plan_delete(context, plan_id, project_id=None):
    with db_session.writer(context) as session:
        query = _scoped(sa.delete(models.Plan), project_id).where(
            models.Plan.id == plan_id)
        if session.execute(query).rowcount == 0:
            raise exceptions.PlanNotFound(plan_id=plan_id)


def plan_count(context, project_id):
    with db_session.reader(context) as session:
        query = sa.select(sa.func.count()).select_from(models.Plan).where(
            models.Plan.project_id == project_id)
        return session.execute(query).scalar_one()
