"""Protect, delete, restore and verify flows: Initiate → resource graph →
Complete (the copy flow, built the same way, is in flows/copy.py).

The first task of each flow ends the operation as failed when the flow
reverts, recording the reason; the last one ends it as done. Both end the
operation and its target in one transaction (karbor.db.operations.finish).
"""

from oslo_log import log as logging
from taskflow import task
from taskflow.patterns import linear_flow

from karbor.common import constants
from karbor.common import exceptions
from karbor.db import checkpoints as db_checkpoints
from karbor.db import restores as db_restores
from karbor.db import verifications as db_verifications
from karbor.protection import checkpoint_store
from karbor.protection import plugin_api
from karbor.protection import plugin_errors
from karbor.protection import resource_graph
from karbor.protection.flows import graph
from karbor.protection.flows import runtime as flow_runtime

LOG = logging.getLogger(__name__)


def failure_reason(flow_failures, default):
    """The user-facing reason of the first failure of a flow."""
    for failure in (flow_failures or {}).values():
        exception = getattr(failure, 'exception', None)
        if exception is not None:
            return str(exception)
        return str(failure)
    return default


class _RuntimeTask(task.Task):

    def __init__(self, runtime, name):
        super().__init__(name=name)
        self.runtime = runtime


class InitiateTask(_RuntimeTask):
    """Checks ownership; on revert, ends the operation as failed."""

    failure_default = 'the operation failed'

    def execute(self):
        self.runtime.check()
        self.initiate()

    def initiate(self):
        pass

    def revert(self, *args, **kwargs):
        reason = failure_reason(kwargs.get('flow_failures'),
                                self.failure_default)
        self.runtime.finish(False, reason)


class CompleteTask(_RuntimeTask):

    def execute(self):
        self.runtime.check()
        self.complete()
        self.runtime.finish(True)

    def complete(self):
        pass

    def revert(self, *args, **kwargs):
        pass


# -- protect -------------------------------------------------------------

class InitiateProtect(InitiateTask):
    failure_default = 'protecting the plan failed'

    def __init__(self, runtime, name, record):
        super().__init__(runtime, name)
        self.record = record

    def initiate(self):
        checkpoint_store.write_metadata(self.runtime.bank, self.record)

    def revert(self, *args, **kwargs):
        # A failed checkpoint keeps its metadata (status error) but none of
        # the partial data the plugins wrote.
        try:
            checkpoint_store.delete_resource_data(
                self.runtime.bank, self.runtime.checkpoint.id)
            checkpoint_store.write_metadata(
                self.runtime.bank, self.record,
                status=constants.CHECKPOINT_ERROR)
        except Exception:
            LOG.exception('Cleaning up the bank data of failed checkpoint '
                          '%s failed; deleting the checkpoint removes it',
                          self.runtime.checkpoint.id)
        super().revert(*args, **kwargs)


class CompleteProtect(CompleteTask):

    def __init__(self, runtime, name, nodes, record):
        super().__init__(runtime, name)
        self.nodes = nodes
        self.record = record

    def complete(self):
        bank = self.runtime.bank
        for node in self.nodes:
            checkpoint_store.write_manifest(bank, self.runtime.checkpoint.id,
                                            node.resource)
        checkpoint_store.write_metadata(
            bank, self.record, status=constants.CHECKPOINT_AVAILABLE)


def checkpoint_info(row):
    return flow_runtime.CheckpointInfo(
        id=row.id, project_id=row.project_id, provider_id=row.provider_id,
        plan=row.plan, resource_graph=row.resource_graph,
        extra_info=row.extra_info, destination=row.destination)


def _resource_graph(runtime, checkpoint):
    """The checkpoint's graph: computed once, then reused on resume.

    The row gets it too: the protect's tasks write the checkpoint's bank
    metadata from this row, read once when the flow is built (only the
    status changes while it runs, and each task sets the one it records).
    """
    if checkpoint.resource_graph is not None:
        return resource_graph.deserialize(checkpoint.resource_graph)
    nodes = resource_graph.build(runtime.context,
                                 checkpoint.plan['resources'],
                                 runtime.provider.supported_types())
    checkpoint.resource_graph = resource_graph.serialize(nodes)
    db_checkpoints.set_resource_graph(runtime.context, checkpoint.id,
                                      checkpoint.resource_graph)
    return nodes


def build_protect(runtime):
    checkpoint = db_checkpoints.checkpoint_get(
        runtime.context, runtime.operation.checkpoint_id,
        include_deleted=True)
    nodes = _resource_graph(runtime, checkpoint)
    runtime.checkpoint = checkpoint_info(checkpoint)
    flow = linear_flow.Flow('protect')
    flow.add(InitiateProtect(runtime, 'protect:initiate', checkpoint),
             graph.build(runtime, 'protect', nodes,
                         lambda plugin, r: plugin.get_protect_operation(r),
                         checkpoint.plan.get('parameters') or {}),
             CompleteProtect(runtime, 'protect:complete', nodes, checkpoint))
    return flow


# -- delete --------------------------------------------------------------

class InitiateDelete(InitiateTask):
    failure_default = 'deleting the checkpoint failed'


class CompleteDelete(CompleteTask):

    def complete(self):
        checkpoint_store.delete_checkpoint(self.runtime.bank,
                                           self.runtime.checkpoint.id)


def build_delete(runtime):
    checkpoint = db_checkpoints.checkpoint_get(
        runtime.context, runtime.operation.checkpoint_id,
        include_deleted=True)
    runtime.checkpoint = checkpoint_info(checkpoint)
    # A checkpoint that failed before its graph was known has no plugin
    # data: deleting it is only removing what is under its prefix.
    nodes = (resource_graph.deserialize(checkpoint.resource_graph)
             if checkpoint.resource_graph else [])
    flow = linear_flow.Flow('delete')
    flow.add(InitiateDelete(runtime, 'delete:initiate'))
    if nodes:
        flow.add(graph.build(
            runtime, 'delete', nodes,
            lambda plugin, r: plugin.get_delete_operation(r),
            checkpoint.plan.get('parameters') or {}))
    flow.add(CompleteDelete(runtime, 'delete:complete'))
    return flow


# -- restore -------------------------------------------------------------

def _resource_key(resource):
    return '%s#%s' % (resource.type, resource.id)


class InitiateRestore(InitiateTask):
    failure_default = 'the restore failed'

    def __init__(self, runtime, name, nodes):
        super().__init__(runtime, name)
        self.nodes = nodes

    def initiate(self):
        # The checkpoint must still be in the bank, whatever the index says.
        checkpoint_store.read_metadata(self.runtime.bank,
                                       self.runtime.checkpoint.id)
        for node in self.nodes:
            db_restores.update_resource_status(
                self.runtime.context, self.runtime.restore.id,
                _resource_key(node.resource), constants.RESOURCE_RESTORING)


class RestoredResource(task.Task):
    """Marks one resource restored once its hooks all succeeded."""

    def __init__(self, runtime, resource):
        super().__init__(name='restore:%s:done' % _resource_key(resource))
        self.runtime = runtime
        self.resource = resource

    def execute(self):
        db_restores.update_resource_status(
            self.runtime.context, self.runtime.restore.id,
            _resource_key(self.resource), constants.RESOURCE_AVAILABLE)


class CompleteRestore(CompleteTask):
    pass


def build_restore(runtime):
    restore = db_restores.restore_get(runtime.context,
                                      runtime.operation.restore_id)
    checkpoint = db_checkpoints.checkpoint_get(
        runtime.context, restore.checkpoint_id, include_deleted=True)
    runtime.restore = restore
    runtime.checkpoint = checkpoint_info(checkpoint)
    nodes = resource_graph.deserialize(checkpoint.resource_graph or [{}, []])

    def record_failure(resource, reason):
        db_restores.update_resource_status(
            runtime.context, restore.id, _resource_key(resource),
            constants.RESOURCE_ERROR, reason)

    hooks = graph.build(
        runtime, 'restore', nodes,
        lambda plugin, r: plugin.get_restore_operation(r),
        restore.parameters or {},
        extra_kwargs={'restore': {'id': restore.id,
                                  'target': restore.restore_target,
                                  'auth': restore.restore_auth}},
        on_failure=record_failure)
    done = [RestoredResource(runtime, node.resource) for node in nodes]
    flow = linear_flow.Flow('restore')
    flow.add(InitiateRestore(runtime, 'restore:initiate', nodes), hooks)
    if done:
        flow.add(*done)
    flow.add(CompleteRestore(runtime, 'restore:complete'))
    return flow


# -- verify --------------------------------------------------------------

class InitiateVerify(InitiateTask):
    failure_default = 'the verification failed'

    def __init__(self, runtime, name, nodes):
        super().__init__(runtime, name)
        self.nodes = nodes

    def initiate(self):
        # The checkpoint's own record must be in the bank and readable:
        # without it the bank cannot be restored from elsewhere.
        checkpoint_id = self.runtime.checkpoint.id
        try:
            checkpoint_store.read_metadata(self.runtime.bank, checkpoint_id)
        except ValueError as err:
            raise exceptions.BankObjectCorrupted(
                key=checkpoint_store.checkpoint_prefix(checkpoint_id) +
                checkpoint_store.METADATA,
                reason='not JSON (%s)' % err) from None
        for node in self.nodes:
            db_verifications.update_resource_status(
                self.runtime.context, self.runtime.verification.id,
                _resource_key(node.resource), constants.RESOURCE_VERIFYING,
                keep=(constants.RESOURCE_ERROR,))


class FindingsRecorded(plugin_api.Operation):
    """A plugin's verify operation whose failures are findings.

    A resource that fails its check is recorded ``error`` with the reason,
    and the flow goes on: every resource is checked, and the verification
    ends ``fail`` in CompleteVerify. A failed resource's later hooks are
    skipped.
    """

    def __init__(self, operation, failed, record_failure):
        self.operation = operation
        self.failed = failed     # resource keys, shared by the flow
        self.record_failure = record_failure

    def _run(self, hook, checkpoint, resource, *args, **kwargs):
        key = _resource_key(resource)
        if key in self.failed:
            return
        try:
            getattr(self.operation, hook)(checkpoint, resource, *args,
                                          **kwargs)
        except exceptions.OperationLeaseLost:
            raise
        except Exception as err:
            self.failed.add(key)
            self.record_failure(resource, plugin_errors.user_reason(
                err, 'verify of %s %s' % (resource.type, resource.id)))

    def on_prepare_begin(self, *args, **kwargs):
        self._run('on_prepare_begin', *args, **kwargs)

    def on_prepare_finish(self, *args, **kwargs):
        self._run('on_prepare_finish', *args, **kwargs)

    def on_main(self, *args, **kwargs):
        self._run('on_main', *args, **kwargs)

    def on_complete(self, *args, **kwargs):
        self._run('on_complete', *args, **kwargs)


class VerifiedResource(task.Task):
    """Marks one resource intact once its checks all passed."""

    def __init__(self, runtime, resource):
        super().__init__(name='verify:%s:done' % _resource_key(resource))
        self.runtime = runtime
        self.resource = resource

    def execute(self):
        db_verifications.update_resource_status(
            self.runtime.context, self.runtime.verification.id,
            _resource_key(self.resource), constants.RESOURCE_AVAILABLE,
            keep=(constants.RESOURCE_ERROR,))


def failed_resources_reason(verification):
    """error_info of a verification with failed resources, else None."""
    failed = sorted(key for key, status in
                    verification.resources_status.items()
                    if status == constants.RESOURCE_ERROR)
    if not failed:
        return None
    first = verification.resources_reason.get(failed[0]) or failed[0]
    if len(failed) == 1:
        return first
    return '%d of %d resources failed verification (see resources_reason); ' \
        'the first: %s' % (len(failed), len(verification.resources_status),
                           first)


class CompleteVerify(CompleteTask):

    def execute(self):
        self.runtime.check()
        verification = db_verifications.verification_get(
            self.runtime.context, self.runtime.verification.id)
        reason = failed_resources_reason(verification)
        self.runtime.finish(reason is None, reason)


def build_verify(runtime):
    verification = db_verifications.verification_get(
        runtime.context, runtime.operation.verification_id)
    checkpoint = db_checkpoints.checkpoint_get(
        runtime.context, verification.checkpoint_id, include_deleted=True)
    runtime.verification = verification
    runtime.checkpoint = checkpoint_info(checkpoint)
    nodes = resource_graph.deserialize(checkpoint.resource_graph or [{}, []])
    # Failures recorded before a resume stay failures.
    failed = {key for key, status in verification.resources_status.items()
              if status == constants.RESOURCE_ERROR}

    def record_failure(resource, reason):
        db_verifications.update_resource_status(
            runtime.context, verification.id, _resource_key(resource),
            constants.RESOURCE_ERROR, reason)

    hooks = graph.build(
        runtime, 'verify', nodes,
        lambda plugin, r: FindingsRecorded(plugin.get_verify_operation(r),
                                           failed, record_failure),
        verification.parameters or {})
    done = [VerifiedResource(runtime, node.resource) for node in nodes]
    flow = linear_flow.Flow('verify')
    flow.add(InitiateVerify(runtime, 'verify:initiate', nodes), hooks)
    if done:
        flow.add(*done)
    flow.add(CompleteVerify(runtime, 'verify:complete'))
    return flow


def build_copy(runtime):
    # Its own module (it builds on this one's tasks).
    from karbor.protection.flows import copy
    return copy.build_copy(runtime)


BUILDERS = {
    constants.OPERATION_PROTECT: build_protect,
    constants.OPERATION_DELETE: build_delete,
    constants.OPERATION_RESTORE: build_restore,
    constants.OPERATION_VERIFY: build_verify,
    constants.OPERATION_COPY: build_copy,
}
