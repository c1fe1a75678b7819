"""Checkpoints: the backups of a plan, kept in its provider's bank.

Every call names the provider, as the v1 URLs do
(``/providers/{provider_id}/checkpoints``). Creating and deleting are
asynchronous: the server answers 202 with the checkpoint (``protecting`` or
``deleting``) and a protection worker does the work; poll ``get`` (or use
``karbor.client.wait``) for the end.
"""

import dataclasses
import json

from karbor.client import base

# Final statuses, for waiting.
CREATE_SUCCESS = ('available',)
CREATE_FAILURE = ('error',)
DELETE_SUCCESS = ('deleted',)
DELETE_FAILURE = ('error-deleting',)
RESET_STATES = ('available', 'error')


@dataclasses.dataclass(kw_only=True)
class Checkpoint(base.Resource):
    id: str = None
    project_id: str = None
    status: str = None
    protection_plan: dict = None
    # A JSON string on the wire (Karbor v1 clients json.loads it); see
    # ``graph`` for the decoded structure.
    resource_graph: str = None
    extra_info: dict = None
    error_info: str = None
    # Items and bytes done/total while protecting, as the server reports.
    progress: dict = None
    # The copy destination holding the checkpoint (None: the main bank)
    # and, for a copy, the checkpoint it was copied from.
    destination: str = None
    copied_from: str = None
    created_at: str = None
    updated_at: str = None
    finished_at: str = None

    @property
    def percent_done(self):
        """Percentage of the protect done, or None before it is known."""
        return base.percent_done(self.progress)

    @property
    def plan_id(self):
        return (self.protection_plan or {}).get('id')

    @property
    def plan_name(self):
        return (self.protection_plan or {}).get('name')

    @property
    def provider_id(self):
        return (self.protection_plan or {}).get('provider_id')

    @property
    def graph(self):
        """The resource graph decoded (None until the protect built it)."""
        if not self.resource_graph:
            return None
        if isinstance(self.resource_graph, str):
            return json.loads(self.resource_graph)
        return self.resource_graph


class CheckpointManager(base.Manager):
    resource_class = Checkpoint
    resource_key = 'checkpoint'
    collection_key = 'checkpoints'

    def _checkpoints_path(self, provider_id, *parts):
        quoted = [base.quote_segment(p) for p in
                  ('providers', provider_id, 'checkpoints') + parts]
        return '/'.join(quoted)

    def list(self, provider_id, *, plan_id=None, status=None,
             start_date=None, end_date=None, extra_info=None,
             destination=None, copied_from=None, all_tenants=False,
             project_id=None, limit=None, marker=None, sort=None,
             page_size=None, **filters):
        """Iterate the provider's checkpoints lazily, newest first.

        ``start_date``/``end_date`` take a date (``YYYY-MM-DD``, a whole
        day) or an ISO 8601 time (a ``datetime.date``/``datetime`` is
        formatted for you). ``extra_info`` (a dict, or (key, value) pairs)
        keeps the checkpoints whose extra-info has every one of these keys
        with exactly this value. Deleted checkpoints are only listed with
        ``status='deleted'``. ``destination`` keeps the copies held by that
        copy destination of the provider, ``copied_from`` the copies of one
        checkpoint.
        """
        params = dict(filters, plan_id=plan_id, status=status,
                      destination=destination, copied_from=copied_from,
                      start_date=_isoformat(start_date),
                      end_date=_isoformat(end_date),
                      extra_info=extra_info_filters(extra_info),
                      all_tenants=all_tenants, project_id=project_id)
        return self._list(self._checkpoints_path(provider_id), params=params,
                          limit=limit, marker=marker, sort=sort,
                          page_size=page_size)

    def get(self, provider_id, checkpoint_id):
        return self._get(self._checkpoints_path(provider_id, checkpoint_id))

    def create(self, provider_id, plan_id, *, extra_info=None,
               task_tag=None):
        """Start protecting the plan; returns the ``protecting`` checkpoint.

        Raises Conflict (``protect_in_progress``) while another checkpoint
        of the same plan is being made.
        """
        body = {'plan_id': plan_id, 'extra-info': extra_info or None}
        return self._create(self._checkpoints_path(provider_id),
                            {'checkpoint': body}, task_tag=task_tag)

    def delete(self, provider_id, checkpoint_id, *, task_tag=None):
        """Start deleting; returns the checkpoint, now ``deleting``.

        Once the delete is done, ``get`` raises NotFound.
        """
        response = self.http.delete(
            self._checkpoints_path(provider_id, checkpoint_id),
            task_tag=task_tag)
        if response is None:
            return None     # a server answering 204 without a body
        return self._unwrap(response, self.resource_key)

    def reset_state(self, provider_id, checkpoint_id, state='error', *,
                    task_tag=None):
        """(Admin) set a checkpoint that no operation is working on to
        ``available`` or ``error``."""
        return self._update(
            self._checkpoints_path(provider_id, checkpoint_id),
            {'os-resetState': {'state': state}}, task_tag=task_tag)


def extra_info_filters(extra_info):
    """{'k': 'v'} or [('k', 'v')] -> ['k:v'] (the ``extra_info`` filter).

    The value is everything after the first ``:`` on the server, so
    values may hold colons; keys may not.
    """
    if not extra_info:
        return None
    pairs = (extra_info.items() if isinstance(extra_info, dict)
             else extra_info)
    filters = []
    for key, value in pairs:
        if not key or ':' in key:
            raise ValueError('extra-info filter key %r: a key is not empty '
                             'and has no ":"' % (key,))
        if not isinstance(value, str):
            raise ValueError('extra-info filter %r: values are strings, '
                             'not %r' % (key, value))
        filters.append('%s:%s' % (key, value))
    return filters


def _isoformat(value):
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()
