"""/v1/{project_id}/operation_logs and the provider-scoped
/v1/{project_id}/providers/{provider_id}/operation_logs.

Filters: operation_type, status (a status, or ``in:a,b``), checkpoint_id,
plan_id, restore_id, verification_id, copy_id, scheduled_operation_id,
provider_id,
and time ranges ``started_at=gte:<time>`` / ``lt:`` (also ``gt:``,
``lte:``) on started_at and ended_at, repeatable to bound both ends.
"""

from oslo_utils import timeutils
import pecan
from pecan import rest

from karbor import policy
from karbor.api import hooks
from karbor.api import listing
from karbor.api import views
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import operation_logs as db_logs
from karbor.policies import operation_logs as log_policy
from karbor.protection import providers

RANGE_FILTERS = ('started_at', 'ended_at')
FILTERS = db_logs.EQUALITY_FILTERS + ('status',) + RANGE_FILTERS
SORT_KEYS = ('started_at', 'ended_at', 'id', 'status', 'operation_type',
             'created_at')
DEFAULT_SORT = (('started_at', 'desc'),)


_COPIED = ('id', 'project_id', 'operation_type', 'checkpoint_id', 'plan_id',
           'provider_id', 'restore_id', 'verification_id',
           # A copy's logs: one per copied checkpoint, the source in
           # extra_info.source_checkpoint_id.
           'copy_id', 'scheduled_operation_id', 'status', 'error_info',
           'user_id', 'request_id', 'task_tag')


def log_view(row):
    """The API form of a log row of the DB API."""
    values = row._asdict()
    view = {key: values[key] for key in _COPIED}
    view['started_at'] = views.isotime(values['started_at'])
    view['ended_at'] = views.isotime(values['ended_at'])
    view['extra_info'] = values['extra_info'] or {}
    return view


def _invalid(reason):
    return exceptions.InvalidQueryParameter(reason=reason)


def _statuses(value):
    statuses = value[3:].split(',') if value.startswith('in:') else [value]
    for status in statuses:
        if status not in constants.ALL_OPERATION_LOG_STATUSES:
            raise _invalid('status %r is not one of %s' % (
                status, ', '.join(constants.ALL_OPERATION_LOG_STATUSES)))
    return statuses


def _ranges(column, values):
    ranges = []
    for value in values:
        operator, sep, moment = value.partition(':')
        if not sep or operator not in ('gte', 'gt', 'lte', 'lt'):
            raise _invalid('%s takes gte:, gt:, lte: or lt: and an ISO 8601 '
                           'time, not %r' % (column, value))
        try:
            moment = timeutils.normalize_time(
                timeutils.parse_isotime(moment))
        except ValueError:
            raise _invalid('%s: %r is not an ISO 8601 time'
                           % (column, moment)) from None
        ranges.append((column, operator, moment))
    return ranges


def list_logs(request, ctxt, provider_id=None):
    policy.authorize(ctxt, log_policy.GET_ALL)
    # Under /providers/{provider_id}/ the provider is the path's.
    filters_allowed = FILTERS if provider_id is None else tuple(
        name for name in FILTERS if name != 'provider_id')
    params = listing.parse(request, filters=filters_allowed,
                           sort_keys=SORT_KEYS, default_sort=DEFAULT_SORT,
                           repeatable=RANGE_FILTERS)
    project_id = listing.project_scope(ctxt, params,
                                       log_policy.GET_ALL_TENANTS)
    filters = dict(params.filters)
    statuses = _statuses(filters.pop('status')) if 'status' in filters \
        else None
    ranges = []
    for column in RANGE_FILTERS:
        if column in filters:
            ranges.extend(_ranges(column, filters.pop(column)))
    if 'operation_type' in filters and \
            filters['operation_type'] not in constants.OPERATION_LOG_TYPES:
        raise _invalid('operation_type %r is not one of %s' % (
            filters['operation_type'],
            ', '.join(constants.OPERATION_LOG_TYPES)))
    rows, has_more = db_logs.log_list(
        ctxt, project_id, provider_id=provider_id, filters=filters,
        statuses=statuses, ranges=ranges, sort=params.sort,
        limit=params.limit, marker=params.marker)
    body = {'operation_logs': [log_view(row) for row in rows]}
    if has_more:
        body.update(listing.next_link(request, params, rows[-1].id,
                                      'operation_logs'))
    return body


class OperationLogsController(rest.RestController):
    """Every operation log of the project."""

    @pecan.expose('json')
    def get_all(self, **_query):
        return list_logs(pecan.request, hooks.context_of(pecan.request))

    @pecan.expose('json')
    def get_one(self, log_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, log_policy.GET)
        return {'operation_log': log_view(db_logs.log_get(
            ctxt, log_id, project_id=ctxt.project_id))}


class ProviderOperationLogsController(rest.RestController):
    """The operation logs of one provider (the spec's paths)."""

    @pecan.expose('json')
    def get_all(self, provider_id, **_query):
        providers.registry().get(provider_id)
        return list_logs(pecan.request, hooks.context_of(pecan.request),
                         provider_id=provider_id)

    @pecan.expose('json')
    def get_one(self, provider_id, log_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, log_policy.GET)
        providers.registry().get(provider_id)
        return {'operation_log': log_view(db_logs.log_get(
            ctxt, log_id, project_id=ctxt.project_id,
            provider_id=provider_id))}
