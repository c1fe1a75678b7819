"""Protectable types and the instances of each type that can be protected."""

import dataclasses
import json

from karbor.client import base


@dataclasses.dataclass(kw_only=True)
class ProtectableType(base.Resource):
    name: str = None
    dependent_types: list = None


@dataclasses.dataclass(kw_only=True)
class ProtectableInstance(base.Resource):
    id: str = None
    type: str = None
    name: str = None
    extra_info: dict = None
    dependent_resources: list = None


class ProtectableManager(base.Manager):
    resource_class = ProtectableType
    collection_path = 'protectables'
    resource_key = 'protectable_type'

    def list_types(self):
        """Return the names of the protectable types (not paginated)."""
        body = self.http.get(self.collection_path)
        return list((body or {}).get(self.resource_key) or [])

    def get_type(self, type_name):
        return self._get(self._path(type_name))

    def list_instances(self, type_name, *, parameters=None, limit=None,
                       marker=None, sort=None, page_size=None, **filters):
        """Iterate instances of a type lazily.

        ``parameters`` (a dict) is sent as JSON in the query string; the
        upstream client sent a Python repr, which our server does not eval.
        """
        params = dict(filters)
        if parameters:
            params['parameters'] = json.dumps(parameters, sort_keys=True)
        return self._list(self._path(type_name, 'instances'), params=params,
                          limit=limit, marker=marker, sort=sort,
                          page_size=page_size, key='instances',
                          resource_class=ProtectableInstance)

    def get_instance(self, type_name, instance_id, *, parameters=None):
        path = self._path(type_name, 'instances', instance_id)
        params = None
        if parameters:
            params = {'parameters': json.dumps(parameters, sort_keys=True)}
        body = self.http.get(path, params=params)
        return self._unwrap(body, 'instance', ProtectableInstance)
