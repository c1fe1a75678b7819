"""/v1/{project_id}/plans

Shows, lists and creates render the DB API's records directly (a plan
being created has nothing to merge); updates go through the versioned
object, which tracks what changed.
"""

from oslo_utils import uuidutils
import pecan
from pecan import rest

from karbor import objects
from karbor import policy
from karbor.api import hooks
from karbor.api import listing
from karbor.api import plan_validation
from karbor.api import validation
from karbor.api import views
from karbor.api.controllers.v1 import tasks
from karbor.api.schemas import plans as schemas
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import operations as db_operations
from karbor.db import plans as db_plans
from karbor.db import scheduled_operations as db_scheduled
from karbor.db import triggers as db_triggers
from karbor.policies import plans as plan_policy

FILTERS = ('name', 'status', 'description')
SORT_KEYS = ('id', 'name', 'status', 'created_at', 'updated_at')


def plan_view(plan):
    return {
        'id': plan.id,
        'name': plan.name,
        'description': plan.description,
        'provider_id': plan.provider_id,
        'status': plan.status,
        'resources': plan.resources,
        'parameters': plan.parameters,
        'project_id': plan.project_id,
        'user_id': plan.user_id,
        'created_at': views.isotime(plan.created_at),
        'updated_at': views.isotime(plan.updated_at),
    }


def _get_plan(ctxt, plan_id):
    # Plans of other projects are "not found", whoever asks (admins list
    # them with all_tenants).
    return objects.Plan.get_by_id(ctxt, plan_id, project_id=ctxt.project_id)


def _plan_record(ctxt, plan_id):
    return db_plans.plan_get(ctxt, plan_id, project_id=ctxt.project_id)


class PlansController(rest.RestController):
    tasks = tasks.ResourceTasksController('plan')

    @pecan.expose('json')
    def get_all(self, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, plan_policy.GET_ALL)
        params = listing.parse(pecan.request, filters=FILTERS,
                               sort_keys=SORT_KEYS)
        project_id = listing.project_scope(ctxt, params,
                                           plan_policy.GET_ALL_TENANTS)
        plans, has_more = db_plans.plan_list(
            ctxt, project_id=project_id, filters=params.filters,
            sort=params.sort, limit=params.limit, marker=params.marker)
        body = {'plans': [plan_view(plan) for plan in plans]}
        if has_more:
            body.update(listing.next_link(pecan.request, params,
                                          plans[-1].id, 'plans'))
        return body

    @pecan.expose('json')
    def get_one(self, plan_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, plan_policy.GET)
        return {'plan': plan_view(_plan_record(ctxt, plan_id))}

    @pecan.expose('json')
    def post(self):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.create)
        policy.authorize(ctxt, plan_policy.CREATE)
        values = body['plan']
        provider = plan_validation.provider_of(values['provider_id'])
        parameters = values.get('parameters') or {}
        plan_validation.check_parameters(provider, values['resources'],
                                         parameters)
        plan_validation.check_resources(ctxt, provider, values['resources'])
        plan = db_plans.plan_create(ctxt, {
            'id': uuidutils.generate_uuid(),
            'project_id': ctxt.project_id,
            'user_id': ctxt.user_id,
            'name': values['name'],
            'description': values.get('description'),
            'provider_id': provider.id,
            'status': constants.PLAN_STATUS_SUSPENDED,
            'resources': values['resources'],
            'parameters': parameters})
        pecan.response.status = 201
        pecan.response.headers['Location'] = listing.created_location(
            pecan.request, plan.id)
        return {'plan': plan_view(plan)}

    @pecan.expose('json')
    def put(self, plan_id):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.update)
        policy.authorize(ctxt, plan_policy.UPDATE)
        changes = body['plan']
        plan = _get_plan(ctxt, plan_id)
        if plan.status == constants.PLAN_STATUS_STARTED and \
                set(changes) - {'status'}:
            raise exceptions.InvalidPlanState(
                plan_id=plan_id, status=plan.status,
                reason='suspend it before changing anything but its status')
        if 'resources' in changes:
            provider = plan_validation.provider_of(plan.provider_id)
            plan_validation.check_parameters(
                provider, changes['resources'], plan.parameters)
            plan_validation.check_resources(ctxt, provider,
                                            changes['resources'])
            plan.resources = changes['resources']
        for key in ('name', 'description', 'status'):
            if key in changes:
                setattr(plan, key, changes[key])
        plan.save()
        return {'plan': plan_view(plan)}

    @pecan.expose('json')
    def delete(self, plan_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, plan_policy.DELETE)
        plan = _get_plan(ctxt, plan_id)
        scheduled = db_scheduled.operations_of_plan(ctxt, plan.id)
        if scheduled:
            raise exceptions.PlanScheduled(
                plan_id=plan.id, operations=db_triggers.named(scheduled))
        if db_operations.active_for_plan(ctxt, plan.id):
            raise exceptions.PlanInUse(
                plan_id=plan.id, reason='a protect or another operation of '
                'its checkpoints is running; retry when it is done')
        plan.destroy()
        return views.no_content()
