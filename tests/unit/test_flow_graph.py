"""The hook order over the resource graph, run by a real taskflow engine."""

import threading

from taskflow import engines

from karbor.protection import datapath
from karbor.protection import plugin_api
from karbor.protection import resource_graph
from karbor.protection.flows import graph


class _Recorder(plugin_api.Operation):

    def __init__(self, calls, lock):
        self.calls, self.lock = calls, lock

    def _record(self, hook, resource):
        with self.lock:
            self.calls.append((resource.id, hook))

    def on_prepare_begin(self, checkpoint, resource, *args, **kwargs):
        self._record('begin', resource)

    def on_prepare_finish(self, checkpoint, resource, *args, **kwargs):
        self._record('finish', resource)

    def on_main(self, checkpoint, resource, *args, **kwargs):
        self._record('main', resource)

    def on_complete(self, checkpoint, resource, *args, **kwargs):
        self._record('complete', resource)


class _Plugin:
    def __init__(self, operation):
        self.operation = operation


class _Provider:
    def __init__(self, plugin):
        self.plugin = plugin

    def plugin_for(self, resource_type):
        return self.plugin

    def bank(self):
        return None


class _Runtime:
    def __init__(self, provider):
        self.provider = provider
        self.bank = None
        self.context = None
        self.checkpoint = type('C', (), {'id': 'c1'})()
        self.progress = datapath.Progress()

    def check(self):
        pass

    def add_log_extra_info(self, values):
        return True


def _node(resource_id, children=()):
    return resource_graph.Node(
        plugin_api.Resource('T', resource_id, resource_id, None),
        [('T', c) for c in children])


def run(nodes):
    calls, lock = [], threading.Lock()
    runtime = _Runtime(_Provider(_Plugin(_Recorder(calls, lock))))
    flow = graph.build(runtime, 'protect', nodes,
                       lambda plugin, resource: plugin.operation, {})
    engines.run(flow, engine='parallel', max_workers=4)
    return calls


def position(calls, resource_id, hook):
    return calls.index((resource_id, hook))


def test_parents_and_children_are_ordered():
    # p depends on c1 and c2; lone depends on nothing.
    calls = run([_node('p', ['c1', 'c2']), _node('c1'), _node('c2'),
                 _node('lone')])
    assert len(calls) == 16
    for child in ('c1', 'c2'):
        assert position(calls, 'p', 'begin') < position(calls, child,
                                                         'begin')
        assert position(calls, child, 'finish') < position(calls, 'p',
                                                           'finish')
        assert position(calls, child, 'complete') < position(calls, 'p',
                                                             'complete')
    for resource_id in ('p', 'c1', 'c2', 'lone'):
        order = [position(calls, resource_id, hook)
                 for hook in ('begin', 'finish', 'main', 'complete')]
        assert order == sorted(order)


def test_independent_resources_get_one_task_each():
    nodes = [_node('a'), _node('b')]
    runtime = _Runtime(_Provider(_Plugin(_Recorder([], threading.Lock()))))
    flow = graph.build(runtime, 'protect', nodes,
                       lambda plugin, resource: plugin.operation, {})
    assert sorted(task.name for task in flow) == [
        'protect:T#a:hooks', 'protect:T#b:hooks']
    assert len(run(nodes)) == 8
