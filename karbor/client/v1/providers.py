"""Protection providers: read-only, configured by the operator."""

import dataclasses

from karbor.client import base


@dataclasses.dataclass(kw_only=True)
class Provider(base.Resource):
    id: str = None
    name: str = None
    description: str = None
    extended_info_schema: dict = None


class ProviderManager(base.Manager):
    resource_class = Provider
    collection_path = 'providers'
    resource_key = 'provider'
    collection_key = 'providers'

    def list(self, *, name=None, description=None, limit=None, marker=None,
             sort=None, page_size=None, **filters):
        """Iterate providers lazily; extra ``filters`` go to the query."""
        params = dict(filters, name=name, description=description)
        return self._list(params=params, limit=limit, marker=marker,
                          sort=sort, page_size=page_size)

    def get(self, provider_id):
        return self._get(self._path(provider_id))

    def find(self, name_or_id):
        """Return the provider with this id, or the only one with this name."""
        return self._find(name_or_id)
