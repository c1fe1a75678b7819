"""/v1/{project_id}/restores"""

from oslo_utils import uuidutils
import pecan
from pecan import rest

from karbor import policy
from karbor.api import hooks
from karbor.api import listing
from karbor.api import plan_validation
from karbor.api import validation
from karbor.api import views
from karbor.api.controllers.v1 import tasks
from karbor.api.schemas import restores as schemas
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import operations as db_operations
from karbor.db import restores as db_restores
from karbor.policies import restores as restore_policy
from karbor.protection import providers
from karbor.protection import rpcapi

FILTERS = ('status', 'checkpoint_id', 'provider_id')
SORT_KEYS = ('id', 'status', 'created_at')


def restore_view(row):
    # restore_auth holds credentials: it is never shown.
    return {
        'id': row.id,
        'project_id': row.project_id,
        'provider_id': row.provider_id,
        'checkpoint_id': row.checkpoint_id,
        'restore_target': row.restore_target,
        'parameters': row.parameters,
        'status': row.status,
        'resources_status': row.resources_status,
        'resources_reason': row.resources_reason,
        'error_info': row.error_info,
        # Items and bytes done/total; None until the worker reports.
        'progress': row.progress,
        'created_at': views.isotime(row.created_at),
        'updated_at': views.isotime(row.updated_at),
        'finished_at': views.isotime(row.finished_at),
    }


class RestoresController(rest.RestController):
    tasks = tasks.ResourceTasksController('restore')

    @pecan.expose('json')
    def get_all(self, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, restore_policy.GET_ALL)
        params = listing.parse(pecan.request, filters=FILTERS,
                               sort_keys=SORT_KEYS)
        project_id = listing.project_scope(ctxt, params,
                                           restore_policy.GET_ALL_TENANTS)
        if params.filters.get('status', constants.RESTORE_SUCCESS) not in \
                constants.RESTORE_STATUSES:
            raise exceptions.InvalidQueryParameter(
                reason='status must be one of %s'
                % ', '.join(constants.RESTORE_STATUSES))
        rows, has_more = db_restores.restore_list(
            ctxt, project_id, filters=params.filters, sort=params.sort,
            limit=params.limit, marker=params.marker)
        body = {'restores': [restore_view(row) for row in rows]}
        if has_more:
            body.update(listing.next_link(pecan.request, params,
                                          rows[-1].id, 'restores'))
        return body

    @pecan.expose('json')
    def get_one(self, restore_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, restore_policy.GET)
        return {'restore': restore_view(db_restores.restore_get(
            ctxt, restore_id, project_id=ctxt.project_id))}

    @pecan.expose('json')
    def post(self):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.create)
        policy.authorize(ctxt, restore_policy.CREATE)
        values = body['restore']
        provider = providers.registry().get(values['provider_id'])
        parameters = values.get('parameters') or {}
        checkpoint = plan_validation.available_checkpoint(
            ctxt, provider, values['checkpoint_id'], 'restore', parameters,
            'restore')
        restore, operation = db_operations.accept_restore(ctxt, {
            'id': uuidutils.generate_uuid(),
            'project_id': ctxt.project_id,
            'user_id': ctxt.user_id,
            'provider_id': provider.id,
            'checkpoint_id': checkpoint.id,
            'restore_target': values.get('restore_target'),
            'restore_auth': values.get('restore_auth'),
            'parameters': parameters,
        })
        rpcapi.get_api().run_operation(ctxt, operation.id)
        pecan.response.status = 202
        return {'restore': restore_view(restore)}

