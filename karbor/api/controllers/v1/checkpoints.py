"""/v1/{project_id}/providers/{provider_id}/checkpoints"""

import datetime
import json

from oslo_utils import timeutils
import pecan
from pecan import rest

from karbor import policy
from karbor.api import extra_info
from karbor.api import hooks
from karbor.api import listing
from karbor.api import plan_validation
from karbor.api import validation
from karbor.api import views
from karbor.api.controllers.v1 import copies
from karbor.api.controllers.v1 import tasks
from karbor.api.schemas import checkpoints as schemas
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import checkpoints as db_checkpoints
from karbor.db import operations as db_operations
from karbor.policies import checkpoints as checkpoint_policy
from karbor.protection import intake
from karbor.protection import providers
from karbor.protection import rpcapi

FILTERS = ('plan_id', 'status', 'start_date', 'end_date', 'extra_info',
           'destination', 'copied_from')
SORT_KEYS = ('id', 'status', 'created_at', 'plan_id')


def _json_text(value):
    """``value`` as JSON text (lists read it as text already)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def checkpoint_view(row):
    plan = row.plan
    return {
        'id': row.id,
        'project_id': row.project_id,
        'status': row.status,
        'protection_plan': {
            'id': plan['id'],
            'name': plan['name'],
            'resources': plan['resources'],
            'provider_id': row.provider_id,
        },
        # Karbor v1 clients json.loads() this: it is a JSON string.
        'resource_graph': _json_text(row.resource_graph),
        'extra_info': row.extra_info or {},
        # null: in the provider's main bank; else the copy destination.
        'destination': row.destination,
        # The source checkpoint of a copy; null for a protect's checkpoint.
        'copied_from': row.copied_from,
        'error_info': row.error_info,
        # Items and bytes done/total; None until the worker reports.
        'progress': row.progress,
        'created_at': views.isotime(row.created_at),
        'updated_at': views.isotime(row.updated_at),
        'finished_at': views.isotime(row.finished_at),
    }


def parse_date(name, value, end=False):
    """A date (YYYY-MM-DD, the whole day) or an ISO 8601 time, as UTC.

    ``end`` dates are exclusive bounds: the day after a plain date.
    """
    try:
        if len(value) == 10:
            day = datetime.datetime.strptime(value, '%Y-%m-%d')
            return day + datetime.timedelta(days=1) if end else day
        moment = timeutils.parse_isotime(value)
    except ValueError:
        raise exceptions.InvalidQueryParameter(
            reason='%s must be a date (YYYY-MM-DD) or an ISO 8601 time, not '
                   '%r' % (name, value)) from None
    moment = timeutils.normalize_time(moment)
    return moment + datetime.timedelta(microseconds=1) if end else moment


def _provider(provider_id):
    return providers.registry().get(provider_id)


def _extra_info(ctxt, values):
    if 'extra-info' in values and 'extra_info' in values:
        raise exceptions.InvalidExtraInfo(
            reason='give extra-info or extra_info, not both')
    return extra_info.validate(
        ctxt, values.get('extra-info', values.get('extra_info')))


class CheckpointsController(rest.RestController):
    tasks = tasks.ResourceTasksController('checkpoint')
    action = copies.CheckpointActionController()

    @pecan.expose('json')
    def get_all(self, provider_id, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, checkpoint_policy.GET_ALL)
        _provider(provider_id)
        params = listing.parse(pecan.request, filters=FILTERS,
                               sort_keys=SORT_KEYS,
                               repeatable=('extra_info',))
        project_id = listing.project_scope(
            ctxt, params, checkpoint_policy.GET_ALL_TENANTS)
        filters = dict(params.filters)
        if 'extra_info' in filters:
            filters['extra_info'] = extra_info.parse_filters(
                filters['extra_info'])
        if 'status' in filters and \
                filters['status'] not in constants.CHECKPOINT_STATUSES:
            raise exceptions.InvalidQueryParameter(
                reason='status must be one of %s'
                % ', '.join(constants.CHECKPOINT_STATUSES))
        if 'start_date' in filters:
            filters['created_after'] = parse_date(
                'start_date', filters.pop('start_date'))
        if 'end_date' in filters:
            filters['created_before'] = parse_date(
                'end_date', filters.pop('end_date'), end=True)
        rows, has_more = db_checkpoints.checkpoint_list(
            ctxt, project_id, provider_id, filters=filters,
            sort=params.sort, limit=params.limit, marker=params.marker)
        body = {'checkpoints': [checkpoint_view(row) for row in rows]}
        if has_more:
            body.update(listing.next_link(pecan.request, params,
                                          rows[-1].id, 'checkpoints'))
        return body

    @pecan.expose('json')
    def get_one(self, provider_id, checkpoint_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, checkpoint_policy.GET)
        _provider(provider_id)
        return {'checkpoint': checkpoint_view(db_checkpoints.checkpoint_get(
            ctxt, checkpoint_id, ctxt.project_id, provider_id))}

    @pecan.expose('json')
    def post(self, provider_id):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.create)
        policy.authorize(ctxt, checkpoint_policy.CREATE)
        provider = _provider(provider_id)
        values = body['checkpoint']
        checkpoint_extra_info = _extra_info(ctxt, values)
        plan = plan_validation.plan_under(ctxt, values['plan_id'], provider)
        checkpoint = intake.start_protect(ctxt, plan, checkpoint_extra_info)
        pecan.response.status = 202
        return {'checkpoint': checkpoint_view(checkpoint)}

    @pecan.expose('json')
    def put(self, provider_id, checkpoint_id):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.reset_state)
        policy.authorize(ctxt, checkpoint_policy.RESET_STATE)
        _provider(provider_id)
        checkpoint = db_checkpoints.reset_state(
            ctxt, checkpoint_id, ctxt.project_id, provider_id,
            body['os-resetState']['state'])
        return {'checkpoint': checkpoint_view(checkpoint)}

    @pecan.expose('json')
    def delete(self, provider_id, checkpoint_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, checkpoint_policy.DELETE)
        _provider(provider_id)
        checkpoint, operation = db_operations.accept_delete(
            ctxt, checkpoint_id, ctxt.project_id, provider_id)
        rpcapi.get_api().run_operation(ctxt, operation.id)
        pecan.response.status = 202
        return {'checkpoint': checkpoint_view(checkpoint)}
