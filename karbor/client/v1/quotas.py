"""Quotas of projects and quota classes.

A limit of -1 is unlimited. ``get(detail=True)`` gives, per resource,
``{"limit", "in_use", "reserved"}``; usage is counted by the server from
live plans and checkpoints (a checkpoint counts until its delete is done).
"""

import dataclasses

from karbor.client import base


@dataclasses.dataclass(kw_only=True)
class Quota(base.Resource):
    # The project id (or, for a quota class, its name).
    id: str = None
    plans: object = None
    checkpoints: object = None


class QuotaClass(Quota):
    pass


def _limits(plans, checkpoints):
    limits = {}
    if plans is not None:
        limits['plans'] = int(plans)
    if checkpoints is not None:
        limits['checkpoints'] = int(checkpoints)
    if not limits:
        raise ValueError('give at least one limit (plans, checkpoints)')
    return limits


class QuotaManager(base.Manager):
    resource_class = Quota
    collection_path = 'quotas'
    resource_key = 'quota'

    def _project(self, project_id):
        """The given project, or the client's own."""
        if project_id:
            return project_id
        return self.http.base_url.rstrip('/').rsplit('/', 1)[-1]

    def get(self, project_id=None, *, detail=False):
        """The limits of a project (default: the client's own); with
        ``detail``, each limit with its usage."""
        parts = [self._project(project_id)] + (['detail'] if detail else [])
        return self._get(self._path(*parts))

    def defaults(self, project_id=None):
        """The limits of a project that sets none of its own."""
        return self._get(self._path(self._project(project_id), 'defaults'))

    def update(self, project_id=None, *, plans=None, checkpoints=None,
               task_tag=None):
        """Set some limits of a project (admin); returns its limits."""
        body = {'quota': _limits(plans, checkpoints)}
        return self._update(self._path(self._project(project_id)), body,
                            task_tag=task_tag)

    def delete(self, project_id=None, *, task_tag=None):
        """Forget a project's own limits (admin): back to the defaults."""
        self._delete(self._path(self._project(project_id)),
                     task_tag=task_tag)


class QuotaClassManager(base.Manager):
    resource_class = QuotaClass
    collection_path = 'quota_classes'
    resource_key = 'quota_class'

    def get(self, class_name='default'):
        return self._get(self._path(class_name))

    def update(self, class_name='default', *, plans=None, checkpoints=None,
               task_tag=None):
        """Set some limits of a quota class (admin); ``default`` applies to
        every project without limits of its own."""
        body = {'quota_class': _limits(plans, checkpoints)}
        return self._update(self._path(class_name), body, task_tag=task_tag)
