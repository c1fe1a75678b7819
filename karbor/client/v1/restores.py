"""Restores: bringing a checkpoint's resources back.

Creating one is asynchronous: the server answers 202 with the restore
``in_progress``; it ends ``success`` or ``fail``, with the status of each
resource in ``resources_status``.
"""

import dataclasses

from karbor.client import base

SUCCESS = ('success',)
FAILURE = ('fail',)
RESOURCE_DONE = ('available', 'error')


@dataclasses.dataclass(kw_only=True)
class Restore(base.Resource):
    id: str = None
    project_id: str = None
    provider_id: str = None
    checkpoint_id: str = None
    restore_target: str = None
    parameters: dict = None
    status: str = None
    resources_status: dict = None
    resources_reason: dict = None
    error_info: str = None
    # Items and bytes done/total, as the server reports them.
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


def restore_auth(username, password, auth_type='password'):
    """The ``restore_auth`` of a restore to another site."""
    return {'type': auth_type, 'username': username, 'password': password}


class RestoreManager(base.Manager):
    resource_class = Restore
    collection_path = 'restores'
    resource_key = 'restore'
    collection_key = 'restores'

    def list(self, *, status=None, checkpoint_id=None, provider_id=None,
             all_tenants=False, project_id=None, limit=None, marker=None,
             sort=None, page_size=None, **filters):
        """Iterate restores lazily; extra ``filters`` go to the query."""
        params = dict(filters, status=status, checkpoint_id=checkpoint_id,
                      provider_id=provider_id, all_tenants=all_tenants,
                      project_id=project_id)
        return self._list(params=params, limit=limit, marker=marker,
                          sort=sort, page_size=page_size)

    def get(self, restore_id):
        return self._get(self._path(restore_id))

    def create(self, provider_id, checkpoint_id, *, restore_target=None,
               restore_auth=None, parameters=None, task_tag=None):
        """Start restoring an ``available`` checkpoint.

        ``parameters`` are keyed by resource type or ``type#id`` and checked
        against the provider's restore schema (BadRequest if they fail).
        ``restore_auth`` (see :func:`restore_auth`) is sent but never shown
        again by the server. Raises Conflict if the checkpoint is not
        available.
        """
        body = {'provider_id': provider_id, 'checkpoint_id': checkpoint_id,
                'restore_target': restore_target,
                'restore_auth': restore_auth,
                'parameters': parameters or {}}
        return self._create(self.collection_path, {'restore': body},
                            task_tag=task_tag)
