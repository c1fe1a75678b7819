"""/v1/{project_id}/verifications"""

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
from karbor.api.schemas import verifications as schemas
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import operations as db_operations
from karbor.db import verifications as db_verifications
from karbor.policies import verifications as verification_policy
from karbor.protection import providers
from karbor.protection import rpcapi

FILTERS = db_verifications.FILTERS
SORT_KEYS = ('id', 'status', 'created_at')


def verification_view(row):
    return {
        'id': row.id,
        'project_id': row.project_id,
        'provider_id': row.provider_id,
        'checkpoint_id': row.checkpoint_id,
        # python-karborclient's verification-list formats it on every row.
        'parameters': row.parameters,
        'status': row.status,
        'resources_status': row.resources_status,
        'resources_reason': row.resources_reason,
        'error_info': row.error_info,
        # Objects and bytes checked/total; None until the worker reports.
        'progress': row.progress,
        'created_at': views.isotime(row.created_at),
        'updated_at': views.isotime(row.updated_at),
        'finished_at': views.isotime(row.finished_at),
    }


class VerificationsController(rest.RestController):
    tasks = tasks.ResourceTasksController('verification')

    @pecan.expose('json')
    def get_all(self, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, verification_policy.GET_ALL)
        params = listing.parse(pecan.request, filters=FILTERS,
                               sort_keys=SORT_KEYS)
        project_id = listing.project_scope(
            ctxt, params, verification_policy.GET_ALL_TENANTS)
        status = params.filters.get('status')
        if status is not None and \
                status not in constants.VERIFICATION_STATUSES:
            raise exceptions.InvalidQueryParameter(
                reason='status must be one of %s'
                % ', '.join(constants.VERIFICATION_STATUSES))
        rows, has_more = db_verifications.verification_list(
            ctxt, project_id, filters=params.filters, sort=params.sort,
            limit=params.limit, marker=params.marker)
        body = {'verifications': [verification_view(row) for row in rows]}
        if has_more:
            body.update(listing.next_link(pecan.request, params,
                                          rows[-1].id, 'verifications'))
        return body

    @pecan.expose('json')
    def get_one(self, verification_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, verification_policy.GET)
        return {'verification': verification_view(
            db_verifications.verification_get(
                ctxt, verification_id, project_id=ctxt.project_id))}

    @pecan.expose('json')
    def post(self):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.create)
        policy.authorize(ctxt, verification_policy.CREATE)
        values = body['verification']
        provider = providers.registry().get(values['provider_id'])
        parameters = values.get('parameters') or {}
        checkpoint = plan_validation.available_checkpoint(
            ctxt, provider, values['checkpoint_id'], 'verify', parameters,
            'verify')
        verification, operation = db_operations.accept_verify(ctxt, {
            'id': uuidutils.generate_uuid(),
            'project_id': ctxt.project_id,
            'user_id': ctxt.user_id,
            'provider_id': provider.id,
            'checkpoint_id': checkpoint.id,
            'parameters': parameters,
        })
        rpcapi.get_api().run_operation(ctxt, operation.id)
        pecan.response.status = 202
        return {'verification': verification_view(verification)}
