"""DB API for plans and their resources.

Reads select columns (Core), not ORM entities: a plan shown or listed is
a few rows turned into a view, and the ORM's unit of work would cost more
than the query itself.
"""

import collections

from oslo_utils import timeutils
import sqlalchemy as sa

from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import quotas as db_quotas
from karbor.db import session as db_session
from karbor.db import tasks as db_tasks

EQUALITY_FILTERS = ('name', 'status', 'description', 'provider_id')

_PLAN = models.Plan.__table__
_RESOURCE = models.PlanResource.__table__
_RESOURCE_COLUMNS = (_RESOURCE.c.resource_id, _RESOURCE.c.resource_type,
                     _RESOURCE.c.resource_name, _RESOURCE.c.extra_info)

_INSERT_PLAN = sa.insert(_PLAN)
_INSERT_RESOURCE = sa.insert(_RESOURCE)

# A plan as read: its columns, then ``resources`` as the API shows them
# (``[{"id", "type", "name", "extra_info"}]``, in the user's order).
PlanRecord = collections.namedtuple(
    'PlanRecord', [c.name for c in _PLAN.c] + ['resources'])


def _resource_rows(resources):
    return [models.PlanResource(position=i, resource_id=r['id'],
                                resource_type=r['type'],
                                resource_name=r['name'],
                                extra_info=r.get('extra_info'))
            for i, r in enumerate(resources)]


def _resource_values(plan_id, resources):
    return [{'plan_id': plan_id, 'position': i, 'resource_id': r['id'],
             'resource_type': r['type'], 'resource_name': r['name'],
             'extra_info': r.get('extra_info')}
            for i, r in enumerate(resources)]


def _scoped(query, project_id):
    if project_id is not None:
        query = query.where(models.Plan.project_id == project_id)
    return query


def plan_create(context, values):
    """Insert a plan and its resources; returns its record."""
    values = dict(values)
    resources = values.pop('resources', [])
    values.setdefault('created_at', timeutils.utcnow())
    values.setdefault('updated_at', values['created_at'])
    limited = db_quotas.prepare(values['project_id'], db_quotas.PLANS)
    with db_session.writer(context) as session:
        if limited:
            # Lock, count and insert in one transaction.
            db_quotas.check(session, values['project_id'], db_quotas.PLANS)
        connection = session.connection()
        connection.execute(_INSERT_PLAN, values)
        if resources:
            connection.execute(_INSERT_RESOURCE,
                               _resource_values(values['id'], resources))
        db_tasks.note_created(context, 'plan', values['id'])
    return _record([values.get(c.name) for c in _PLAN.c],
                   [_resource((r['id'], r['type'], r['name'],
                               r.get('extra_info'))) for r in resources])


def _resource(values):
    resource_id, resource_type, name, extra_info = values
    return {'id': resource_id, 'type': resource_type, 'name': name,
            'extra_info': extra_info}


def _record(columns, resources):
    return PlanRecord(*columns, resources)


def _record_of_model(plan):
    return _record(
        [getattr(plan, c.name) for c in _PLAN.c],
        [_resource((r.resource_id, r.resource_type, r.resource_name,
                    r.extra_info)) for r in plan.resources])


def _plan_get_query(scoped):
    # One round trip for the plan and its resources: one row per resource
    # (one row with NULL resource columns for a plan without resources).
    resource_labels = [c.label('resource_%d' % i)
                       for i, c in enumerate(_RESOURCE_COLUMNS)]
    query = sa.select(_PLAN, *resource_labels).select_from(
        _PLAN.outerjoin(_RESOURCE, _RESOURCE.c.plan_id == _PLAN.c.id)).where(
            _PLAN.c.id == sa.bindparam('plan_id')).order_by(
                _RESOURCE.c.position)
    if scoped:
        query = query.where(_PLAN.c.project_id == sa.bindparam('project_id'))
    return query


# Built once: building a statement costs as much as running it.
_PLAN_GET = {scoped: _plan_get_query(scoped) for scoped in (False, True)}


def plan_get(context, plan_id, project_id=None):
    query = _PLAN_GET[project_id is not None]
    with db_session.read_connection(context) as connection:
        rows = connection.execute(
            query, {'plan_id': plan_id, 'project_id': project_id}).all()
    if not rows:
        raise exceptions.PlanNotFound(plan_id=plan_id)
    plan_columns = len(_PLAN.c)
    resources = [_resource(row[plan_columns:]) for row in rows
                 if row[plan_columns] is not None]
    return _record(rows[0][:plan_columns], resources)


def plan_list(context, project_id=None, filters=None, sort=(), limit=1000,
              marker=None):
    """One page of plans; ``project_id=None`` means every project."""
    query = _scoped(sa.select(_PLAN), project_id)
    for key, value in (filters or {}).items():
        if key not in EQUALITY_FILTERS:
            raise exceptions.InvalidQueryParameter(
                reason='plans cannot be filtered by %s' % key)
        query = query.where(_PLAN.c[key] == value)
    with db_session.read_connection(context) as connection:
        plans = pagination.page_query(
            connection, query, models.Plan, sort, limit, marker,
            marker_query=_scoped(sa.select(_PLAN), project_id),
            core=True).subquery()
        # The page and its resources in one round trip: one row per
        # resource, in the page's order.
        rows = connection.execute(
            sa.select(plans, *_RESOURCE_COLUMNS).select_from(
                plans.outerjoin(_RESOURCE,
                                _RESOURCE.c.plan_id == plans.c.id))
            .order_by(*pagination.order_by(plans.c,
                                           pagination.full_sort(sort)),
                      _RESOURCE.c.position)
        ).all()
    records = []
    plan_columns = len(_PLAN.c)
    for row in rows:
        if not records or records[-1].id != row.id:
            records.append(_record(row[:plan_columns], []))
        if row[plan_columns] is not None:
            records[-1].resources.append(_resource(row[plan_columns:]))
    return records[:limit], len(records) > limit


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
        return _record_of_model(plan)


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
