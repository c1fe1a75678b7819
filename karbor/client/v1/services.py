"""Karbor services (admin): list them, enable or disable one."""

import dataclasses

from karbor.client import base
from karbor.client import exceptions


@dataclasses.dataclass(kw_only=True)
class Service(base.Resource):
    id: int = None
    binary: str = None
    host: str = None
    status: str = None
    state: str = None
    updated_at: str = None
    disabled_reason: str = None


class ServiceManager(base.Manager):
    resource_class = Service
    collection_path = 'os-services'
    resource_key = 'service'
    collection_key = 'services'

    def list(self, *, host=None, binary=None, limit=None, marker=None,
             sort=None, page_size=None, **filters):
        params = dict(filters, host=host, binary=binary)
        return self._list(params=params, limit=limit, marker=marker,
                          sort=sort, page_size=page_size)

    def get(self, service_id):
        # The API has no GET of one service; filter the list instead.
        for service in self.list():
            if str(service.id) == str(service_id):
                return service
        raise exceptions.NotFound('Service %s could not be found.'
                                  % service_id, http_status=404)

    def enable(self, service_id, *, task_tag=None):
        return self._set_status(service_id, {'status': 'enabled'}, task_tag)

    def disable(self, service_id, *, reason=None, task_tag=None):
        body = {'status': 'disabled'}
        if reason:
            body['disabled_reason'] = reason
        return self._set_status(service_id, body, task_tag)

    def _set_status(self, service_id, body, task_tag):
        # Unlike every other update, this body is not enveloped (v1 wire
        # format kept from upstream Karbor).
        return self._update(self._path(service_id), body, task_tag=task_tag)
