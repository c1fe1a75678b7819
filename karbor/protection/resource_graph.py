"""The resource graph of a plan: its resources and what they depend on.

A resource's children are the resources it depends on, found by the
protectable plugins of the types listed in its type's ``dependent_types``.
The wire form (a JSON string in checkpoints, as Karbor v1 clients expect)
is ``[{"0x0": [type, id, name, extra_info], ...}, [["0x0", ["0x1"]], ...]]``.
"""

import collections

from karbor.common import exceptions
from karbor.protection import plugin_api
from karbor.protection import protectable_registry

Node = collections.namedtuple('Node', ('resource', 'children'))

MAX_RESOURCES = 10000


def _resource(item):
    return plugin_api.Resource(type=item['type'], id=item['id'],
                               name=item['name'],
                               extra_info=item.get('extra_info'))


def _children(context, resource, supported_types):
    try:
        plugin = protectable_registry.get(resource.type)
    except exceptions.ProtectableTypeNotFound:
        return []
    found = []
    for child_type in plugin.dependent_types:
        if child_type not in supported_types:
            continue
        child_plugin = protectable_registry.get(child_type)
        for item in child_plugin.get_dependent_resources(context, resource):
            found.append(_resource(item))
    return found


def build(context, plan_resources, supported_types):
    """Nodes of the graph (each resource once), roots first."""
    nodes = {}
    order = []
    pending = [_resource(item) for item in plan_resources]
    while pending:
        resource = pending.pop(0)
        key = (resource.type, resource.id)
        if key in nodes:
            continue
        if len(nodes) >= MAX_RESOURCES:
            raise exceptions.InvalidPlan(
                reason='the resource graph has more than %d resources'
                % MAX_RESOURCES)
        children = _children(context, resource, supported_types)
        nodes[key] = Node(resource, [(c.type, c.id) for c in children])
        order.append(key)
        pending.extend(children)
    return [nodes[key] for key in order]


def serialize(nodes):
    ids = {(n.resource.type, n.resource.id): '0x%x' % i
           for i, n in enumerate(nodes)}
    packed = {ids[(n.resource.type, n.resource.id)]:
              [n.resource.type, n.resource.id, n.resource.name,
               n.resource.extra_info] for n in nodes}
    adjacency = [[ids[(n.resource.type, n.resource.id)],
                  [ids[child] for child in n.children]]
                 for n in nodes if n.children]
    return [packed, adjacency]


def deserialize(document):
    packed, adjacency = document
    resources = {node_id: plugin_api.Resource(*values)
                 for node_id, values in packed.items()}
    children = {node_id: [] for node_id in packed}
    for node_id, child_ids in adjacency:
        children[node_id] = child_ids
    ordered = sorted(packed, key=lambda node_id: int(node_id, 16))
    return [Node(resources[node_id],
                 [(resources[c].type, resources[c].id)
                  for c in children[node_id]]) for node_id in ordered]
