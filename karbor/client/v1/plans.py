"""Protection plans: a provider plus the resources it protects."""

import dataclasses

from karbor.client import base


@dataclasses.dataclass(kw_only=True)
class Plan(base.Resource):
    id: str = None
    name: str = None
    description: str = None
    provider_id: str = None
    status: str = None
    resources: list = None
    parameters: dict = None
    project_id: str = None
    created_at: str = None
    updated_at: str = None


def resource_dict(resource):
    """Accept a dict or a ProtectableInstance-like object for a resource."""
    if isinstance(resource, dict):
        return dict(resource)
    data = {'id': resource.id, 'type': resource.type, 'name': resource.name}
    if getattr(resource, 'extra_info', None):
        data['extra_info'] = resource.extra_info
    return data


class PlanManager(base.Manager):
    resource_class = Plan
    collection_path = 'plans'
    resource_key = 'plan'
    collection_key = 'plans'

    def list(self, *, name=None, status=None, description=None,
             all_tenants=False, project_id=None, limit=None, marker=None,
             sort=None, page_size=None, **filters):
        """Iterate plans lazily; extra ``filters`` go to the query."""
        params = dict(filters, name=name, status=status,
                      description=description, all_tenants=all_tenants,
                      project_id=project_id)
        return self._list(params=params, limit=limit, marker=marker,
                          sort=sort, page_size=page_size)

    def get(self, plan_id):
        return self._get(self._path(plan_id))

    def find(self, name_or_id):
        """Return the plan with this id, or the only one with this name."""
        return self._find(name_or_id)

    def create(self, name, provider_id, resources, *, parameters=None,
               description=None, task_tag=None):
        body = {'name': name, 'provider_id': provider_id,
                'resources': [resource_dict(r) for r in resources],
                'parameters': parameters or {}}
        if description is not None:
            body['description'] = description
        return self._create(self.collection_path, {'plan': body},
                            task_tag=task_tag)

    def update(self, plan_id, *, name=None, description=None,
               resources=None, status=None, task_tag=None):
        """Change the given fields only (None means "leave unchanged")."""
        changes = {'name': name, 'description': description,
                   'status': status}
        body = {k: v for k, v in changes.items() if v is not None}
        if resources is not None:
            body['resources'] = [resource_dict(r) for r in resources]
        return self._update(self._path(plan_id), {'plan': body},
                            task_tag=task_tag)

    def delete(self, plan_id, *, task_tag=None):
        self._delete(self._path(plan_id), task_tag=task_tag)
