"""Copies: checkpoints of a plan copied to another bank of their provider.

A copy request names a plan (or one checkpoint) and a copy destination of
the provider (``Provider.copy_destinations``). The server answers 202 with
the copy ``in_progress`` and one pair per checkpoint it copies (those not
copied to that destination yet); each pair's copy checkpoint goes
``wait_copying`` → ``copying`` → ``available``, and the copy ends
``finished`` (every pair done) or ``error`` (one at least failed, with its
reason; the others are still copied).
"""

import dataclasses

from karbor.client import base

SUCCESS = ('finished',)
FAILURE = ('error',)
PAIR_DONE = ('finished', 'available', 'error')


@dataclasses.dataclass(kw_only=True)
class Copy(base.Resource):
    id: str = None
    project_id: str = None
    provider_id: str = None
    plan_id: str = None
    destination: str = None
    parameters: dict = None
    status: str = None
    # [{source_checkpoint_id, copy_checkpoint_id, status, error_info}]
    checkpoints: list = None
    error_info: str = None
    progress: dict = None
    created_at: str = None
    updated_at: str = None
    finished_at: str = None

    @property
    def percent_done(self):
        """Percentage done: of the bytes when the server reports them,
        else of the checkpoints; None before anything is known."""
        return base.percent_done(
            self.progress, (pair.get('status') for pair in
                            self.checkpoints or []), PAIR_DONE)

    @property
    def failed_checkpoints(self):
        """{source checkpoint id: reason} of the pairs that failed."""
        return {pair.get('source_checkpoint_id'): pair.get('error_info')
                for pair in self.checkpoints or []
                if pair.get('status') == 'error'}


class CopyManager(base.Manager):
    resource_class = Copy
    collection_path = 'copies'
    resource_key = 'copy'
    collection_key = 'copies'

    def create(self, provider_id, plan_id=None, *, checkpoint_id=None,
               destination=None, parameters=None, task_tag=None):
        """Copy a plan's checkpoints (or one checkpoint) to
        ``destination`` (default: the provider's first)."""
        body = {'parameters': parameters or {}}
        for name, value in (('plan_id', plan_id),
                            ('checkpoint_id', checkpoint_id),
                            ('destination', destination)):
            if value is not None:
                body[name] = value
        path = 'providers/%s/checkpoints/action' % base.quote_segment(
            provider_id)
        return self._create(path, {'copy': body}, task_tag=task_tag)

    def list(self, *, plan_id=None, provider_id=None, status=None,
             destination=None, all_tenants=False, project_id=None,
             limit=None, marker=None, sort=None, page_size=None,
             **filters):
        """Iterate copies lazily; extra ``filters`` go to the query."""
        params = dict(filters, plan_id=plan_id, provider_id=provider_id,
                      status=status, destination=destination,
                      all_tenants=all_tenants, project_id=project_id)
        return self._list(params=params, limit=limit, marker=marker,
                          sort=sort, page_size=page_size)

    def get(self, copy_id):
        return self._get(self._path(copy_id))
