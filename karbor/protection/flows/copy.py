"""The copy flow: one source checkpoint into one copy destination.

InitiateCopy → every resource's copy hooks → CompleteCopy. Each pair of a
copy request is its own operation and flow, so one failing checkpoint does
not fail the others. The runtime's checkpoint is the copy checkpoint (its
bank is the destination's); ``runtime.source`` is the source checkpoint,
read from the main bank.
"""

from oslo_log import log as logging

from karbor.common import constants
from karbor.db import checkpoints as db_checkpoints
from karbor.db import copies as db_copies
from karbor.protection import checkpoint_store
from karbor.protection import resource_graph
from karbor.protection.flows import graph
from karbor.protection.flows import operations as flows

LOG = logging.getLogger(__name__)


class InitiateCopy(flows.InitiateTask):
    failure_default = 'the copy failed'

    def initiate(self):
        db_copies.start_pair(self.runtime.context, self.runtime.operation)
        # The source must still be in the main bank, whatever the index
        # says.
        checkpoint_store.read_metadata(self.runtime.main_bank,
                                       self.runtime.source.id)

    def revert(self, *args, **kwargs):
        # A failed copy leaves nothing in the destination: a half copy
        # would look restorable to an import there.
        try:
            checkpoint_store.delete_checkpoint(self.runtime.bank,
                                               self.runtime.checkpoint.id)
        except Exception:
            LOG.exception('Removing the partial copy %s from destination %s '
                          'failed; deleting the copy checkpoint removes it',
                          self.runtime.checkpoint.id,
                          self.runtime.checkpoint.destination)
        super().revert(*args, **kwargs)


class CompleteCopy(flows.CompleteTask):

    def complete(self):
        # Written last: a destination checkpoint with metadata is whole.
        checkpoint = db_checkpoints.checkpoint_get(
            self.runtime.context, self.runtime.checkpoint.id)
        checkpoint.status = constants.CHECKPOINT_AVAILABLE
        checkpoint_store.write_metadata(self.runtime.bank, checkpoint)


def build_copy(runtime):
    copy = db_copies.copy_get(runtime.context, runtime.operation.copy_id)
    target = db_checkpoints.checkpoint_get(
        runtime.context, runtime.operation.checkpoint_id,
        include_deleted=True)
    source = db_checkpoints.checkpoint_get(
        runtime.context, target.copied_from, include_deleted=True)
    runtime.checkpoint = flows.checkpoint_info(target)
    runtime.source = flows.checkpoint_info(source)
    nodes = resource_graph.deserialize(target.resource_graph or [{}, []])
    main_bank, destination_bank = runtime.main_bank, runtime.bank

    def sections(resource):
        return {
            'source_section': checkpoint_store.BankSection(
                main_bank, checkpoint_store.resource_prefix(source.id,
                                                            resource)),
            'destination_section': checkpoint_store.BankSection(
                destination_bank, checkpoint_store.resource_prefix(
                    target.id, resource)),
        }

    flow = flows.linear_flow.Flow('copy')
    flow.add(InitiateCopy(runtime, 'copy:initiate'))
    if nodes:
        flow.add(graph.build(
            runtime, 'copy', nodes,
            lambda plugin, r: plugin.get_copy_operation(r),
            copy.parameters or {}, resource_kwargs=sections))
    flow.add(CompleteCopy(runtime, 'copy:complete'))
    return flow
