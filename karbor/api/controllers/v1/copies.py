"""/v1/{project_id}/copies, and the copy action
POST /v1/{project_id}/providers/{provider_id}/checkpoints/action."""

import pecan
from pecan import rest

from karbor import policy
from karbor.api import hooks
from karbor.api import listing
from karbor.api import plan_validation
from karbor.api import validation
from karbor.api import views
from karbor.api.controllers.v1 import tasks
from karbor.api.schemas import copies as schemas
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import checkpoints as db_checkpoints
from karbor.db import copies as db_copies
from karbor.policies import copies as copy_policy
from karbor.protection import intake
from karbor.protection import providers

FILTERS = db_copies.FILTERS
SORT_KEYS = ('id', 'status', 'created_at', 'plan_id')
_COUNTERS = ('items_done', 'items_total', 'bytes_done', 'bytes_total')


def _progress(pairs):
    """The sum of the copy checkpoints' progress; None until one reports."""
    reported = [progress for _pair, progress in pairs if progress]
    if not reported:
        return None
    return {key: sum(p.get(key, 0) for p in reported) for key in _COUNTERS}


def pair_view(pair, progress):
    return {
        'source_checkpoint_id': pair.source_checkpoint_id,
        'copy_checkpoint_id': pair.copy_checkpoint_id,
        'status': pair.status,
        'error_info': pair.error_info,
        'progress': progress,
    }


def copy_view(row, pairs):
    return {
        'id': row.id,
        'project_id': row.project_id,
        'provider_id': row.provider_id,
        'plan_id': row.plan_id,
        'destination': row.destination,
        'parameters': row.parameters,
        'status': row.status,
        'error_info': row.error_info,
        'checkpoints': [pair_view(pair, progress)
                        for pair, progress in pairs],
        # Items and bytes copied/total over every pair.
        'progress': _progress(pairs),
        'created_at': views.isotime(row.created_at),
        'updated_at': views.isotime(row.updated_at),
        'finished_at': views.isotime(row.finished_at),
    }


class CopiesController(rest.RestController):
    tasks = tasks.ResourceTasksController('copy')

    @pecan.expose('json')
    def get_all(self, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, copy_policy.GET_ALL)
        params = listing.parse(pecan.request, filters=FILTERS,
                               sort_keys=SORT_KEYS)
        project_id = listing.project_scope(ctxt, params,
                                           copy_policy.GET_ALL_TENANTS)
        status = params.filters.get('status')
        if status is not None and status not in constants.COPY_STATUSES:
            raise exceptions.InvalidQueryParameter(
                reason='status must be one of %s'
                % ', '.join(constants.COPY_STATUSES))
        rows, has_more = db_copies.copy_list(
            ctxt, project_id, filters=params.filters, sort=params.sort,
            limit=params.limit, marker=params.marker)
        pairs = db_copies.pairs_of(ctxt, [row.id for row in rows])
        body = {'copies': [copy_view(row, pairs[row.id]) for row in rows]}
        if has_more:
            body.update(listing.next_link(pecan.request, params,
                                          rows[-1].id, 'copies'))
        return body

    @pecan.expose('json')
    def get_one(self, copy_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, copy_policy.GET)
        row = db_copies.copy_get(ctxt, copy_id, project_id=ctxt.project_id)
        return {'copy': copy_view(row, db_copies.pairs_of(ctxt, [row.id])
                                  [row.id])}


def _copy_item(document):
    """The one copy item of the body, in object form, validated."""
    item = document.get('copy') if isinstance(document, dict) else None
    if isinstance(item, list):
        if len(item) != 1:
            raise exceptions.InvalidInput(
                reason='copy: give exactly one copy item, not %d'
                % len(item))
        document = dict(document, copy=item[0])
    validation.validate(document, schemas.action)
    item = document['copy']
    if 'plan_id' not in item and 'checkpoint_id' not in item:
        raise exceptions.InvalidInput(
            reason='copy: give plan_id (copy its checkpoints) or '
                   'checkpoint_id (copy that one)')
    return item


class CheckpointActionController(rest.RestController):
    """POST .../checkpoints/action: {"copy": {...}} (the only action)."""

    @pecan.expose('json')
    def post(self, provider_id):
        ctxt = hooks.context_of(pecan.request)
        item = _copy_item(validation.parse_json_body(pecan.request))
        policy.authorize(ctxt, copy_policy.CREATE)
        provider = providers.registry().get(provider_id)
        if item.get('provider_id', provider.id) != provider.id:
            raise exceptions.ProviderMismatch(
                plan_id=item.get('plan_id') or item.get('checkpoint_id'),
                plan_provider=item['provider_id'], provider_id=provider.id)
        destination = provider.copy_destination(item.get('destination'))
        plan_id = item.get('plan_id')
        if plan_id is not None:
            resources = plan_validation.plan_under(ctxt, plan_id,
                                                   provider).resources
        else:
            source = db_checkpoints.checkpoint_get(
                ctxt, item['checkpoint_id'], ctxt.project_id, provider.id)
            plan_id, resources = source.plan_id, source.plan['resources']
        parameters = item.get('parameters') or {}
        plan_validation.check_parameters(provider, resources, parameters,
                                         schema='copy')
        copy = intake.start_copy(ctxt, provider.id, plan_id,
                                 destination.name, parameters,
                                 checkpoint_id=item.get('checkpoint_id'))
        pecan.response.status = 202
        return {'copy': copy_view(copy, db_copies.pairs_of(ctxt, [copy.id])
                                  [copy.id])}
