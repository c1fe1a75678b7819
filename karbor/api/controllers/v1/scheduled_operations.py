"""/v1/{project_id}/scheduled_operations (and .../{id}/runs)"""

import json

from oslo_utils import uuidutils
import pecan
from pecan import rest

from karbor import policy
from karbor.api import hooks
from karbor.api import listing
from karbor.api import plan_validation
from karbor.api import validation
from karbor.api import views
from karbor.api.controllers.v1 import triggers
from karbor.api.schemas import scheduled_operations as schemas
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import scheduled_operations as db_scheduled
from karbor.policies import scheduled_operations as scheduled_policy
from karbor.protection import providers

C = constants
FILTERS = db_scheduled.FILTERS + ('operation_definition',)
# What of an operation_definition filter can be matched: its indexed keys.
DEFINITION_FILTERS = ('plan_id', 'provider_id')
SORT_KEYS = ('id', 'name', 'created_at', 'updated_at', 'next_run_at')
RUN_FILTERS = ('state',)
RUN_SORT_KEYS = ('id', 'due_at', 'state', 'created_at')


def run_view(run):
    return {
        'id': run.id,
        'scheduled_operation_id': run.scheduled_operation_id,
        'operation_type': run.operation_type,
        'due_at': views.isotime(run.due_at),
        'state': run.state,
        'checkpoint_id': run.checkpoint_id,
        'copy_id': run.copy_id,
        'deleted_checkpoints': run.deleted_checkpoints or [],
        'reason': run.reason,
        'attempts': run.attempts,
        'started_at': views.isotime(run.started_at),
        'finished_at': views.isotime(run.finished_at),
    }


def operation_view(row, last_run=None):
    return {
        'id': row.id,
        'name': row.name,
        'description': row.description,
        'operation_type': row.operation_type,
        'trigger_id': row.trigger_id,
        'operation_definition': row.operation_definition,
        'enabled': row.enabled,
        'project_id': row.project_id,
        'user_id': row.user_id,
        # null while disabled, or after the trigger's end_time.
        'next_run_at': views.isotime(row.next_run_at),
        'last_run': run_view(last_run) if last_run is not None else None,
        'created_at': views.isotime(row.created_at),
        'updated_at': views.isotime(row.updated_at),
    }


def _definition_of(values):
    """The operation definition as an object (legacy clients send a
    ``k=v,k=v`` string), checked against its operation type."""
    definition = values['operation_definition']
    if isinstance(definition, str):
        try:
            definition = _key_values(definition, 'operation_definition')
        except exceptions.InvalidQueryParameter as err:
            raise exceptions.InvalidScheduledOperation(
                reason=err.kwargs['reason']) from None
    validation.validate(
        definition, schemas.definition_schema(values['operation_type']),
        exc=exceptions.InvalidScheduledOperation)
    for key in ('max_backups', 'retention_duration'):
        if key in definition:
            definition[key] = int(definition[key])
    return definition


def _key_values(text, what):
    """A ``k=v,k=v`` string, or a JSON object, as a dict of strings."""
    text = text.strip()
    if text.startswith('{'):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise exceptions.InvalidQueryParameter(
                reason='%s must be k=v,k=v or a JSON object' % what)
        return {str(k): str(v) for k, v in parsed.items()}
    pairs = {}
    for item in filter(None, (p.strip() for p in text.split(','))):
        key, sep, value = item.partition('=')
        if not sep or not key.strip():
            raise exceptions.InvalidQueryParameter(
                reason='%s: %r is not key=value' % (what, item))
        pairs[key.strip()] = value.strip()
    return pairs


def _definition_filters(text):
    """The legacy ``operation_definition`` filter as column filters."""
    wanted = _key_values(text, 'operation_definition')
    unknown = sorted(set(wanted) - set(DEFINITION_FILTERS))
    if unknown:
        raise exceptions.InvalidQueryParameter(
            reason='operation_definition can filter on %s only, not %s'
            % (' and '.join(DEFINITION_FILTERS), ', '.join(unknown)))
    return wanted


def _check_target(ctxt, operation_type, definition):
    """The plan exists in the project, under that provider; a copy has a
    destination."""
    provider = providers.registry().get(definition['provider_id'])
    plan = plan_validation.plan_under(ctxt, definition['plan_id'], provider)
    if operation_type == C.SCHEDULED_COPY:
        provider.copy_destination(definition.get('destination'))
        plan_validation.check_parameters(
            provider, plan.resources, definition.get('parameters') or {},
            schema='copy')
    return provider, plan


class RunsController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, scheduled_operation_id, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, scheduled_policy.GET_RUNS)
        params = listing.parse(pecan.request, filters=RUN_FILTERS,
                               sort_keys=RUN_SORT_KEYS)
        if params.all_tenants or (params.project_id and
                                  params.project_id != ctxt.project_id):
            raise exceptions.InvalidQueryParameter(
                reason='runs are listed per scheduled operation, in its '
                       'project only')
        state = params.filters.get('state')
        if state is not None and state not in C.RUN_STATES:
            raise exceptions.InvalidQueryParameter(
                reason='state must be one of %s' % ', '.join(C.RUN_STATES))
        # The default sort of listing is created_at; runs read best by
        # due time, newest first, unless the caller asked for an order.
        asked = {'sort', 'sort_key', 'sort_dir'} & set(pecan.request.GET)
        sort = params.sort if asked else []
        rows, has_more = db_scheduled.runs_list(
            ctxt, scheduled_operation_id, ctxt.project_id,
            filters=params.filters, sort=sort, limit=params.limit,
            marker=params.marker)
        body = {'runs': [run_view(row) for row in rows]}
        if has_more:
            body.update(listing.next_link(pecan.request, params,
                                          rows[-1].id, 'runs'))
        return body


class ScheduledOperationsController(rest.RestController):
    runs = RunsController()

    @pecan.expose('json')
    def get_all(self, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, scheduled_policy.GET_ALL)
        params = listing.parse(pecan.request, filters=FILTERS,
                               sort_keys=SORT_KEYS)
        project_id = listing.project_scope(
            ctxt, params, scheduled_policy.GET_ALL_TENANTS)
        filters = dict(params.filters)
        if 'operation_definition' in filters:
            for key, value in _definition_filters(
                    filters.pop('operation_definition')).items():
                if filters.setdefault(key, value) != value:
                    raise exceptions.InvalidQueryParameter(
                        reason='%s is given twice, with two values' % key)
        if 'enabled' in filters:
            filters['enabled'] = listing.parse_bool('enabled',
                                                    filters['enabled'])
        if filters.get('operation_type', C.SCHEDULED_PROTECT) not in \
                C.SCHEDULED_OPERATION_TYPES:
            raise exceptions.InvalidQueryParameter(
                reason='operation_type must be one of %s'
                % ', '.join(C.SCHEDULED_OPERATION_TYPES))
        rows, has_more = db_scheduled.operation_list(
            ctxt, project_id, filters=filters, sort=params.sort,
            limit=params.limit, marker=params.marker)
        last = db_scheduled.last_runs(ctxt, [row.id for row in rows])
        # The envelope of Karbor v1 clients: "operations".
        body = {'operations': [operation_view(row, last.get(row.id))
                               for row in rows]}
        if has_more:
            body.update(listing.next_link(pecan.request, params,
                                          rows[-1].id, 'operations'))
        return body

    @pecan.expose('json')
    def get_one(self, scheduled_operation_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, scheduled_policy.GET)
        row = db_scheduled.operation_get(ctxt, scheduled_operation_id,
                                         project_id=ctxt.project_id)
        last = db_scheduled.last_runs(ctxt, [row.id])
        return {'scheduled_operation': operation_view(row,
                                                      last.get(row.id))}

    @pecan.expose('json')
    def post(self):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.create)
        policy.authorize(ctxt, scheduled_policy.CREATE)
        values = body['scheduled_operation']
        definition = _definition_of(values)
        provider, plan = _check_target(ctxt, values['operation_type'],
                                       definition)
        # operation_create finds (and locks) the project's trigger: a 404
        # if there is none.
        operation = db_scheduled.operation_create(ctxt, {
            'id': uuidutils.generate_uuid(),
            'project_id': ctxt.project_id,
            'user_id': ctxt.user_id,
            'name': values['name'],
            'description': values.get('description'),
            'operation_type': values['operation_type'],
            'trigger_id': values['trigger_id'],
            'provider_id': provider.id,
            'plan_id': plan.id,
            'operation_definition': definition,
            'enabled': values.get('enabled', True),
        }, next_run_at=triggers.first_due)
        pecan.response.status = 201
        pecan.response.headers['Location'] = listing.created_location(
            pecan.request, operation.id)
        return {'scheduled_operation': operation_view(operation)}

    @pecan.expose('json')
    def put(self, scheduled_operation_id):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.update)
        policy.authorize(ctxt, scheduled_policy.UPDATE)
        operation = db_scheduled.operation_update(
            ctxt, scheduled_operation_id, ctxt.project_id,
            body['scheduled_operation'], next_run_at=triggers.first_due)
        last = db_scheduled.last_runs(ctxt, [operation.id])
        return {'scheduled_operation': operation_view(
            operation, last.get(operation.id))}

    @pecan.expose('json')
    def delete(self, scheduled_operation_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, scheduled_policy.DELETE)
        db_scheduled.operation_delete(ctxt, scheduled_operation_id,
                                      ctxt.project_id)
        return views.no_content()
