"""What the tasks of one running operation share.

Tasks are rebuilt when a flow is resumed, so they hold this runtime (ids,
the provider, the bank, the engine's ownership state) and never anything
that taskflow would have to persist.
"""

import collections

from karbor.common import exceptions
from karbor.db import operation_logs as db_operation_logs
from karbor.db import operations as db_operations
from karbor.db import progress as db_progress
from karbor.protection import datapath
from karbor.protection import persistence

CheckpointInfo = collections.namedtuple(
    'CheckpointInfo',
    ('id', 'project_id', 'provider_id', 'plan', 'resource_graph',
     'extra_info', 'destination'), defaults=(None,))


class OperationRuntime:

    def __init__(self, context, operation, owner, provider, is_lost):
        self.context = context
        self.operation = operation
        self.owner = owner
        self.provider = provider
        self._is_lost = is_lost
        self.finished = False
        self.checkpoint = None     # CheckpointInfo, set by the flow builder
        self.restore = None        # the restore row, for restores
        self.verification = None   # the verification row, for verifies
        self.source = None         # CheckpointInfo of a copy's source
        # Shared by the hooks of every resource of the operation.
        self.progress = datapath.Progress(
            lambda snapshot: db_progress.save(context, operation, snapshot))

    @property
    def bank(self):
        """The bank the operation's checkpoint lives in: the main bank, or
        its copy destination's (restores, verifies and deletes of copies).
        """
        destination = self.checkpoint.destination if self.checkpoint \
            else None
        return self.provider.bank_of(destination)

    @property
    def main_bank(self):
        return self.provider.bank()

    def check(self):
        """Stop working on an operation another worker has taken over."""
        if self._is_lost(self.operation.id):
            raise exceptions.OperationLeaseLost(
                operation_id=self.operation.id)

    def add_log_extra_info(self, values):
        """Let a plugin attach details (a backend job id, a rate...) to the
        operation log; bounded by [operation_log] max_extra_info_bytes."""
        return db_operation_logs.add_extra_info(
            self.context, self.operation.id, dict(values))

    def finish(self, success, reason=None):
        """End the operation and its target, once; False if not ours.

        Its saved flow is dropped in the same transaction: a flow's
        progress outlives its operation only while another worker may
        resume it.
        """
        if self.finished:
            return True
        self.progress.flush()
        done = db_operations.finish(self.context, self.operation.id,
                                    self.owner, success, reason,
                                    in_transaction=persistence.forget_flow)
        self.finished = True
        return done
