"""/v1/{project_id}/providers (defined by providers.d files)."""

import pecan
from pecan import rest

from karbor import policy
from karbor.api import hooks
from karbor.api import listing
from karbor.api.controllers.v1 import checkpoints
from karbor.api.controllers.v1 import operation_logs
from karbor.policies import providers as provider_policy
from karbor.protection import providers

FILTERS = ('name', 'description')
SORT_KEYS = ('id', 'name')


def provider_view(provider, detail=True):
    view = {'id': provider.id, 'name': provider.name,
            'description': provider.description}
    if detail:
        view['extended_info_schema'] = provider.extended_info_schema()
        view['copy_destinations'] = [
            destination.view()
            for destination in provider.destinations.values()]
    return view


class ProvidersController(rest.RestController):
    checkpoints = checkpoints.CheckpointsController()
    operation_logs = operation_logs.ProviderOperationLogsController()

    @pecan.expose('json')
    def get_all(self, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, provider_policy.GET_ALL)
        params = listing.parse(pecan.request, filters=FILTERS,
                               sort_keys=SORT_KEYS,
                               default_sort=(('name', 'asc'),))
        if params.all_tenants or params.project_id:
            # Providers belong to no project; accept and ignore the scope
            # parameters clients send with every list.
            pass
        items = [provider_view(p) for p in providers.registry().list()
                 if all(getattr(p, k) == v
                        for k, v in params.filters.items())]
        items = listing.sort_in_memory(items, params.sort + [('id', 'asc')])
        page, has_more = listing.page_in_memory(items, params)
        body = {'providers': page}
        if has_more:
            body.update(listing.next_link(pecan.request, params,
                                          page[-1]['id'], 'providers'))
        return body

    @pecan.expose('json')
    def get_one(self, provider_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, provider_policy.GET)
        return {'provider': provider_view(
            providers.registry().get(provider_id))}
