"""/v1/{project_id}/protectables: resource types and their instances.

The protection workers' plugins answer these questions over RPC.
"""

import json
import re

import pecan
from pecan import rest

from karbor import policy
from karbor.api import hooks
from karbor.api import known_resources
from karbor.api import listing
from karbor.common import exceptions
from karbor.policies import protectables as protectable_policy
from karbor.protection import rpcapi

INSTANCE_FILTERS = ('type', 'parameters', 'name')
INSTANCE_SORT_KEYS = ('id', 'name')

# python-karborclient sends the parameters filter as the repr of a Python
# dict of strings ({'k': 'v', 'x': None}); newer clients send JSON. Both
# are parsed without evaluating anything.
_REPR_ITEM = re.compile(
    r"""\s*(?P<q>['"])(?P<key>(?:(?!(?P=q)).)*)(?P=q)\s*:\s*"""
    r"""(?:(?P<vq>['"])(?P<value>(?:(?!(?P=vq)).)*)(?P=vq)|(?P<none>None))"""
    r"""\s*(?:,|$)""")


def parse_parameters(text):
    text = text.strip()
    try:
        value = json.loads(text)
    except ValueError:
        value = _parse_dict_repr(text)
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and (v is None or isinstance(v, str))
            for k, v in value.items()):
        raise exceptions.InvalidQueryParameter(
            reason='parameters must be an object of strings, like '
                   '{"root": "/srv/data"}')
    return value


def _parse_dict_repr(text):
    if not (text.startswith('{') and text.endswith('}')):
        return None
    inner = text[1:-1].strip()
    result = {}
    position = 0
    while position < len(inner):
        match = _REPR_ITEM.match(inner, position)
        if not match:
            return None
        result[match.group('key')] = (None if match.group('none')
                                      else match.group('value'))
        position = match.end()
    return result


def _parameters(request):
    text = request.GET.get('parameters')
    return parse_parameters(text) if text else None


class InstancesController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, protectable_type, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, protectable_policy.INSTANCE_GET_ALL)
        params = listing.parse(pecan.request, filters=INSTANCE_FILTERS,
                               sort_keys=INSTANCE_SORT_KEYS,
                               default_sort=(('name', 'asc'),))
        parameters = _parameters(pecan.request)
        instances = rpcapi.get_api().list_protectable_instances(
            ctxt, protectable_type, parameters=parameters)
        if not parameters:
            # What plan checks ask (an instance as found without
            # parameters) has just been answered.
            known_resources.remember(ctxt.project_id, instances)
        for key in ('type', 'name'):
            if key in params.filters:
                instances = [i for i in instances
                             if i.get(key) == params.filters[key]]
        instances = listing.sort_in_memory(instances,
                                           params.sort + [('id', 'asc')])
        page, has_more = listing.page_in_memory(instances, params)
        body = {'instances': page}
        if has_more:
            body.update(listing.next_link(pecan.request, params,
                                          page[-1]['id'], 'instances'))
        return body

    @pecan.expose('json')
    @hooks.accepts_query('parameters')
    def get_one(self, protectable_type, instance_id, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, protectable_policy.INSTANCE_GET)
        parameters = _parameters(pecan.request)
        instance = rpcapi.get_api().show_protectable_instance(
            ctxt, protectable_type, instance_id, parameters=parameters)
        if not parameters:
            known_resources.remember(ctxt.project_id, [instance])
        return {'instance': instance}


class ProtectablesController(rest.RestController):
    instances = InstancesController()

    @pecan.expose('json')
    @hooks.accepts_query()
    def get_all(self, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, protectable_policy.GET_ALL)
        return {'protectable_type':
                rpcapi.get_api().list_protectable_types(ctxt)}

    @pecan.expose('json')
    def get_one(self, protectable_type):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, protectable_policy.GET)
        return {'protectable_type': rpcapi.get_api().show_protectable_type(
            ctxt, protectable_type)}
