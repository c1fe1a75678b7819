"""Plugin hooks over the resource graph, as a taskflow graph flow.

For every resource R: begin(R) → finish(R) → main(R) → complete(R). For a
resource P depending on C: begin(P) → begin(C), finish(C) → finish(P),
complete(C) → complete(P). Independent ``on_main`` hooks run in parallel
(bounded by the engine's worker count).

A resource that depends on nothing and that nothing depends on (the
common case) gets one task running its four hooks in order: every task's
progress is saved to the database, and fewer tasks make a checkpoint
faster without changing any ordering.
"""

from taskflow import task
from taskflow.patterns import graph_flow

from karbor.common import exceptions
from karbor.protection import checkpoint_store
from karbor.protection import plugin_api
from karbor.protection import plugin_errors


class StepFailed(exceptions.KarborException):
    """A hook failed; the message is the reason users see."""

    error_code = 'operation_step_failed'


class HookTask(task.Task):

    def __init__(self, runtime, kind, resource, operation, hooks,
                 parameters, extra_kwargs, on_failure=None,
                 resource_kwargs=None):
        label = hooks[0] if len(hooks) == 1 else 'hooks'
        super().__init__(name='%s:%s#%s:%s' % (kind, resource.type,
                                               resource.id, label))
        self.runtime = runtime
        self.kind = kind
        self.resource = resource
        self.operation = operation
        self.hooks = hooks
        self.parameters = parameters
        self.extra_kwargs = extra_kwargs
        self.on_failure = on_failure
        self.resource_kwargs = resource_kwargs or (lambda resource: {})

    def execute(self):
        self.runtime.check()
        section = checkpoint_store.BankSection(
            self.runtime.bank, checkpoint_store.resource_prefix(
                self.runtime.checkpoint.id, self.resource))
        try:
            for hook in self.hooks:
                getattr(self.operation, hook)(
                    self.runtime.checkpoint, self.resource,
                    self.runtime.context, self.parameters,
                    bank_section=section,
                    record_extra_info=self.runtime.add_log_extra_info,
                    progress=self.runtime.progress,
                    **self.extra_kwargs,
                    **self.resource_kwargs(self.resource))
        except exceptions.OperationLeaseLost:
            raise
        except Exception as err:
            reason = plugin_errors.user_reason(
                err, '%s of %s %s' % (self.kind, self.resource.type,
                                      self.resource.id))
            if self.on_failure is not None:
                self.on_failure(self.resource, reason)
            raise StepFailed(reason) from err

    def revert(self, *args, **kwargs):
        # What a hook did is undone by the flow's own failure handling
        # (partial bank data is removed with the checkpoint).
        pass


def parameters_for(parameters, resource):
    """A resource's options: its type's, overridden by its own."""
    merged = dict(parameters.get(resource.type) or {})
    merged.update(parameters.get('%s#%s' % (resource.type, resource.id))
                  or {})
    return merged


def build(runtime, kind, nodes, operation_getter, parameters,
          extra_kwargs=None, on_failure=None, resource_kwargs=None):
    """The graph flow of hook tasks for ``nodes`` (resource_graph.Node).

    ``resource_kwargs(resource)``: more keyword arguments of that
    resource's hooks (a copy's source and destination sections).
    """
    flow = graph_flow.Flow('%s-resources' % kind)
    tasks = {}
    children = {child for node in nodes for child in node.children}
    for node in nodes:
        resource = node.resource
        plugin = runtime.provider.plugin_for(resource.type)
        operation = operation_getter(plugin, resource)
        options = parameters_for(parameters, resource)
        key = (resource.type, resource.id)
        if not node.children and key not in children:
            flow.add(HookTask(runtime, kind, resource, operation,
                              plugin_api.HOOKS, options, extra_kwargs or {},
                              on_failure, resource_kwargs))
            continue
        hooks = [HookTask(runtime, kind, resource, operation, (hook,),
                          options, extra_kwargs or {}, on_failure,
                          resource_kwargs)
                 for hook in plugin_api.HOOKS]
        flow.add(*hooks)
        for before, after in zip(hooks, hooks[1:], strict=False):
            flow.link(before, after)
        tasks[(resource.type, resource.id)] = dict(
            zip(plugin_api.HOOKS, hooks, strict=True))
    for node in nodes:
        if not node.children:
            continue
        parent = tasks[(node.resource.type, node.resource.id)]
        for child_key in node.children:
            child = tasks[child_key]
            flow.link(parent['on_prepare_begin'], child['on_prepare_begin'])
            flow.link(child['on_prepare_finish'],
                      parent['on_prepare_finish'])
            flow.link(child['on_complete'], parent['on_complete'])
    return flow
