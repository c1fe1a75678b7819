"""DB API for plans.

Reads select columns (Core), not ORM entities: a plan shown or listed is
a row turned into a view, and the ORM's unit of work would cost more than
the query itself.
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
_INSERT_PLAN = sa.insert(_PLAN)

# A plan as read: its columns, ``resources`` as the API shows them
# (``[{"id", "type", "name", "extra_info"}]``, in the user's order).
PlanRecord = collections.namedtuple('PlanRecord', [c.name for c in _PLAN.c])


def _resources(resources):
    return [{'id': r['id'], 'type': r['type'], 'name': r['name'],
             'extra_info': r.get('extra_info')} for r in resources]


def _scoped(query, project_id):
    if project_id is not None:
        query = query.where(_PLAN.c.project_id == project_id)
    return query


def _record_of_model(plan):
    return PlanRecord(*(getattr(plan, c.name) for c in _PLAN.c))


def plan_create(context, values):
    """Insert a plan; returns its record."""
    values = dict(values, resources=_resources(values.get('resources', [])))
    values.setdefault('created_at', timeutils.utcnow())
    values.setdefault('updated_at', values['created_at'])
    limited = db_quotas.prepare(values['project_id'], db_quotas.PLANS)
    with db_session.write_connection(context) as connection:
        if limited:
            # Lock, count and insert in one transaction.
            db_quotas.check(connection, values['project_id'],
                            db_quotas.PLANS)
        connection.execute(_INSERT_PLAN, values)
        db_tasks.note_created(context, 'plan', values['id'])
    return PlanRecord(*(values.get(c.name) for c in _PLAN.c))


# Built once: building a statement costs about as much as running it.
_PLAN_GET = {
    False: sa.select(_PLAN).where(_PLAN.c.id == sa.bindparam('plan_id')),
    True: sa.select(_PLAN).where(
        _PLAN.c.id == sa.bindparam('plan_id'),
        _PLAN.c.project_id == sa.bindparam('project_id')),
}


def plan_get(context, plan_id, project_id=None):
    with db_session.read_connection(context) as connection:
        row = connection.execute(
            _PLAN_GET[project_id is not None],
            {'plan_id': plan_id, 'project_id': project_id}).first()
    if row is None:
        raise exceptions.PlanNotFound(plan_id=plan_id)
    return PlanRecord(*row)


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
        rows, has_more = pagination.page(
            connection, query, models.Plan, sort, limit, marker,
            marker_query=_scoped(sa.select(_PLAN), project_id), core=True)
    return [PlanRecord(*row) for row in rows], has_more


def plan_update(context, plan_id, values, project_id=None):
    values = dict(values)
    if 'resources' in values:
        values['resources'] = _resources(values['resources'])
    with db_session.writer(context) as session:
        query = _scoped(sa.select(models.Plan), project_id).where(
            models.Plan.id == plan_id).with_for_update()
        plan = session.execute(query).scalars().first()
        if plan is None:
            raise exceptions.PlanNotFound(plan_id=plan_id)
        for key, value in values.items():
            setattr(plan, key, value)
        plan.updated_at = timeutils.utcnow()
        session.flush()
        return _record_of_model(plan)


def plan_delete(context, plan_id, project_id=None):
    with db_session.writer(context) as session:
        query = _scoped(sa.delete(models.Plan), project_id).where(
            models.Plan.id == plan_id)
        if session.execute(query).rowcount == 0:
            raise exceptions.PlanNotFound(plan_id=plan_id)

