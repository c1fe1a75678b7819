"""Verifications: re-reading a checkpoint's bank objects and checking every
SHA-256.

Creating one is asynchronous: the server answers 202 with the verification
``in_progress``; it ends ``success`` (every resource intact) or ``fail``,
with the status of each resource in ``resources_status`` (``verifying``,
then ``available`` or ``error``) and, for the failed ones, the reason
(naming the bad bank object) in ``resources_reason``.
"""

import dataclasses

from karbor.client import base

SUCCESS = ('success',)
FAILURE = ('fail',)
RESOURCE_DONE = ('available', 'error')


@dataclasses.dataclass(kw_only=True)
class Verification(base.Resource):
    id: str = None
    project_id: str = None
    provider_id: str = None
    checkpoint_id: str = None
    parameters: dict = None
    status: str = None
    resources_status: dict = None
    resources_reason: dict = None
    error_info: str = None
    # Objects and bytes checked/total, as the server reports them.
    progress: dict = None
    created_at: str = None
    updated_at: str = None
    finished_at: str = None

    @property
    def percent_done(self):
        """Percentage done: of the bytes when the server reports them,
        else of the resources; None before anything is known."""
        return base.percent_done(self.progress,
                                 (self.resources_status or {}).values(),
                                 RESOURCE_DONE)

    @property
    def failed_resources(self):
        """{resource key: reason} of the resources that failed their
        check."""
        reasons = self.resources_reason or {}
        return {key: reasons.get(key)
                for key, status in (self.resources_status or {}).items()
                if status == 'error'}


class VerificationManager(base.Manager):
    resource_class = Verification
    collection_path = 'verifications'
    resource_key = 'verification'
    collection_key = 'verifications'

    def list(self, *, status=None, checkpoint_id=None, provider_id=None,
             all_tenants=False, project_id=None, limit=None, marker=None,
             sort=None, page_size=None, **filters):
        """Iterate verifications lazily; extra ``filters`` go to the
        query."""
        params = dict(filters, status=status, checkpoint_id=checkpoint_id,
                      provider_id=provider_id, all_tenants=all_tenants,
                      project_id=project_id)
        return self._list(params=params, limit=limit, marker=marker,
                          sort=sort, page_size=page_size)

    def get(self, verification_id):
        return self._get(self._path(verification_id))

    def create(self, provider_id, checkpoint_id, *, parameters=None,
               task_tag=None):
        """Start verifying an ``available`` checkpoint.

        ``parameters`` are keyed by resource type or ``type#id`` and checked
        against the provider's verify schema (BadRequest if they fail).
        Raises Conflict if the checkpoint is not available.
        """
        body = {'provider_id': provider_id, 'checkpoint_id': checkpoint_id,
                'parameters': parameters or {}}
        return self._create(self.collection_path, {'verification': body},
                            task_tag=task_tag)
