"""Operation logs: the durable record of every protect, delete, restore,
copy and verification of the project.

One log per operation, opened when the API accepts the operation and closed
with its outcome; logs outlive their checkpoint and plan. They are read
only. The project-wide path is ``/operation_logs``; ``provider_id`` scopes
a call to ``/providers/{provider_id}/operation_logs``.
"""

import dataclasses

from karbor.client import base

OPERATION_TYPES = ('protect', 'delete', 'restore', 'copy', 'verify')
# Per operation type: (running, success, failure), as the server's
# constants.OPERATION_LOG_STATUSES (kept here for help texts and waiting).
STATUSES = {
    'protect': ('protecting', 'available', 'error'),
    'delete': ('deleting', 'deleted', 'error-deleting'),
    'restore': ('restoring', 'restored', 'error-restoring'),
    'copy': ('copying', 'success', 'error'),
    'verify': ('verifying', 'verified', 'error-verifying'),
}
RANGE_OPERATORS = ('gte', 'gt', 'lte', 'lt')


@dataclasses.dataclass(kw_only=True)
class OperationLog(base.Resource):
    id: str = None
    project_id: str = None
    operation_type: str = None
    checkpoint_id: str = None
    plan_id: str = None
    provider_id: str = None
    restore_id: str = None
    verification_id: str = None
    scheduled_operation_id: str = None
    status: str = None
    started_at: str = None
    ended_at: str = None
    error_info: str = None
    extra_info: dict = None
    user_id: str = None
    request_id: str = None
    task_tag: str = None

    @property
    def finished(self):
        return self.ended_at is not None


def time_range(after=None, before=None, *, inclusive=True):
    """The values of a ``started_at``/``ended_at`` range filter.

    ``after``/``before`` are ISO 8601 strings or ``datetime`` objects;
    ``inclusive`` picks ``gte:``/``lte:`` (default) or ``gt:``/``lt:``.
    Returns a list, possibly empty (no bound).
    """
    low, high = ('gte', 'lte') if inclusive else ('gt', 'lt')
    bounds = []
    if after is not None:
        bounds.append('%s:%s' % (low, _isoformat(after)))
    if before is not None:
        bounds.append('%s:%s' % (high, _isoformat(before)))
    return bounds


def status_filter(status=None, statuses=None):
    """``status`` (one) or ``statuses`` (several, sent as ``in:a,b``)."""
    if status is not None and statuses:
        raise ValueError('give status or statuses, not both')
    if statuses:
        if isinstance(statuses, str):
            statuses = [s for s in statuses.split(',') if s]
        return 'in:' + ','.join(statuses)
    return status


class OperationLogManager(base.Manager):
    resource_class = OperationLog
    collection_path = 'operation_logs'
    resource_key = 'operation_log'
    collection_key = 'operation_logs'

    def _logs_path(self, provider_id, *parts):
        if provider_id is None:
            segments = (self.collection_path,) + parts
        else:
            segments = ('providers', provider_id,
                        self.collection_path) + parts
        return '/'.join(base.quote_segment(p) for p in segments)

    def list(self, *, provider_id=None, scope_provider=False,
             operation_type=None, status=None, statuses=None,
             checkpoint_id=None, plan_id=None, restore_id=None,
             verification_id=None, scheduled_operation_id=None,
             started_at=None, ended_at=None,
             all_tenants=False, project_id=None, limit=None, marker=None,
             sort=None, page_size=None, **filters):
        """Iterate operation logs lazily, newest started first.

        ``provider_id`` filters on the provider; with ``scope_provider``
        the call goes to the provider-scoped path instead (which also
        checks that the provider exists). ``statuses`` (a list or
        ``'a,b'``) is sent as ``status=in:a,b``. ``started_at``/
        ``ended_at`` take one bound (``'gte:2026-01-01T00:00:00Z'``) or a
        list of them (see :func:`time_range`). The server refuses unknown
        filters and malformed values with BadRequest.
        """
        params = dict(filters, operation_type=operation_type,
                      status=status_filter(status, statuses),
                      checkpoint_id=checkpoint_id, plan_id=plan_id,
                      restore_id=restore_id,
                      verification_id=verification_id,
                      scheduled_operation_id=scheduled_operation_id,
                      started_at=_bounds(started_at),
                      ended_at=_bounds(ended_at),
                      all_tenants=all_tenants, project_id=project_id)
        path_provider = None
        if scope_provider:
            if provider_id is None:
                raise ValueError('scope_provider needs a provider_id')
            path_provider = provider_id
        else:
            params['provider_id'] = provider_id
        return self._list(self._logs_path(path_provider), params=params,
                          limit=limit, marker=marker, sort=sort,
                          page_size=page_size)

    def get(self, log_id, provider_id=None):
        """One log of the caller's project (NotFound:
        ``operation_log_not_found``); with ``provider_id``, through the
        provider-scoped path."""
        return self._get(self._logs_path(provider_id, log_id))


def _bounds(value):
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return list(value) or None


def _isoformat(value):
    if isinstance(value, str):
        return value
    return value.isoformat()
