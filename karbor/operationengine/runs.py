"""What a scheduled run does: start its protect or copy, then follow it.

Runs call the protection service directly (the same intake as the API),
never back through the public REST API. A run is started in the
transaction that creates its checkpoint or copy (see
karbor.db.scheduled_runs.mark_running), so an engine that dies at any point
leaves a run that another engine either starts or follows, never both.
"""

import functools

from oslo_log import log as logging
from oslo_utils import timeutils

from karbor import context as karbor_context
from karbor import objects
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import checkpoints as db_checkpoints
from karbor.db import copies as db_copies
from karbor.db import models
from karbor.db import operations as db_operations
from karbor.db import scheduled_operations as db_scheduled
from karbor.db import scheduled_runs as db_runs
from karbor.operationengine import retention
from karbor.protection import intake
from karbor.protection import providers
from karbor.protection import rpcapi

C = constants
LOG = logging.getLogger(__name__)

# A run that could not even be started this many times (database or broker
# trouble) fails instead of being retried forever.
MAX_START_ATTEMPTS = 5


def context_of(operation):
    """The project's context: runs act for the tenant who scheduled them."""
    return karbor_context.RequestContext(
        user_id=operation.user_id, project_id=operation.project_id,
        roles=['member'], overwrite=False)


class RunExecutor:
    """Starts and follows the runs an engine holds (as ``owner``)."""

    def __init__(self, owner):
        self.owner = owner

    # -- starting ------------------------------------------------------
    def start(self, run, operation=None):
        """Start a claimed run (of ``operation``, read if not given); it
        ends skipped or failed if it cannot."""
        try:
            operation = operation or db_scheduled.operation_get(
                None, run.scheduled_operation_id)
        except exceptions.ScheduledOperationNotFound:
            return   # deleted meanwhile; its runs went with it
        if run.attempts > MAX_START_ATTEMPTS:
            self._end(run, C.RUN_FAILED, 'could not be started after %d '
                      'attempts; see the operation engine logs'
                      % MAX_START_ATTEMPTS)
            return
        context = context_of(operation)
        mark = functools.partial(self._mark_running, run)
        try:
            plan = objects.Plan.get_by_id(context, operation.plan_id,
                                          project_id=operation.project_id)
            if operation.operation_type == C.SCHEDULED_COPY:
                self._start_copy(context, operation, mark)
            else:
                intake.start_protect(context, plan, {
                    C.CREATED_BY_KEY: C.CREATED_BY_OPERATION_ENGINE,
                    db_operations.SCHEDULED_OPERATION_KEY: operation.id,
                    C.TRIGGER_ID_KEY: operation.trigger_id,
                }, in_transaction=mark)
        except db_runs.RunTakenOver:
            LOG.info('Run %s was taken over by another engine', run.id)
        except exceptions.ProtectInProgress as err:
            self._end(run, C.RUN_SKIPPED, "the plan's previous protect is "
                      "still running (%s)" % err)
        except exceptions.KarborException as err:
            # The plan, provider or destination is gone, a quota is full:
            # nothing a retry of this due time would fix.
            self._end(run, C.RUN_FAILED, str(err))
        except Exception:
            # Database or broker trouble: the lease runs out and this or
            # another engine tries again.
            LOG.exception('Scheduled run %s of %s could not start', run.id,
                          run.scheduled_operation_id)
        else:
            LOG.info('Scheduled run %s of %s (%s) started', run.id,
                     operation.id, operation.operation_type)

    def _mark_running(self, run, session, target):
        if isinstance(target, models.Copy):
            db_runs.mark_running(session, run.id, self.owner,
                                 copy_id=target.id)
        else:
            db_runs.mark_running(session, run.id, self.owner,
                                 checkpoint_id=target.id)

    def _start_copy(self, context, operation, mark):
        provider = providers.registry().get(operation.provider_id)
        definition = operation.operation_definition
        destination = provider.copy_destination(
            definition.get('destination'))
        intake.start_copy(context, provider.id, operation.plan_id,
                          destination.name, definition.get('parameters')
                          or {}, in_transaction=mark,
                          scheduled_operation_id=operation.id)

    # -- following -----------------------------------------------------
    def follow(self, run):
        """Advance a held run: start it, end it, or let it go for now."""
        if run.state == C.RUN_CLAIMED:
            self.start(run)
        elif run.copy_id is not None:
            self._follow_copy(run)
        else:
            self._follow_protect(run)

    def _follow_copy(self, run):
        try:
            copy = db_copies.copy_get(None, run.copy_id)
        except exceptions.CopyNotFound:
            self._end(run, C.RUN_FAILED, 'its copy %s is gone' % run.copy_id)
            return
        if copy.status == C.COPY_IN_PROGRESS:
            db_runs.release(None, run.id, self.owner)
        elif copy.status == C.COPY_FINISHED:
            self._end(run, C.RUN_SUCCEEDED)
        else:
            self._end(run, C.RUN_FAILED, copy.error_info or 'copy failed')

    def _follow_protect(self, run):
        try:
            checkpoint = db_checkpoints.checkpoint_get(
                None, run.checkpoint_id, include_deleted=True)
        except exceptions.CheckpointNotFound:
            self._end(run, C.RUN_FAILED,
                      'its checkpoint %s is gone' % run.checkpoint_id)
            return
        if checkpoint.status not in db_runs.PROTECT_ENDED:
            db_runs.release(None, run.id, self.owner)
            return
        if checkpoint.status == C.CHECKPOINT_ERROR or checkpoint.error_info:
            self._end(run, C.RUN_FAILED, checkpoint.error_info or
                      'checkpoint %s failed' % checkpoint.id)
            return
        deleted = None
        if run.operation_type == C.SCHEDULED_RETENTION_PROTECT:
            deleted = self._apply_retention(run, checkpoint)
            if deleted is None:
                return
        self._end(run, C.RUN_SUCCEEDED, deleted_checkpoints=deleted)

    def _apply_retention(self, run, checkpoint):
        """Send the checkpoints beyond the policy to the delete flow; the
        ids, or None if the run must be followed again later."""
        try:
            operation = db_scheduled.operation_get(
                None, run.scheduled_operation_id)
        except exceptions.ScheduledOperationNotFound:
            return []
        definition = operation.operation_definition
        context = context_of(operation)
        mine = _checkpoints_of(context, operation)
        let_go = retention.beyond_policy(
            mine, definition.get('max_backups'),
            definition.get('retention_duration'), timeutils.utcnow())
        deleted = []
        for old in let_go:
            try:
                _checkpoint, delete = db_operations.accept_delete(
                    context, old.id, operation.project_id,
                    operation.provider_id,
                    scheduled_operation_id=operation.id)
            except (exceptions.InvalidCheckpointState,
                    exceptions.CheckpointNotFound):
                continue   # already on its way out, or busy: next run
            except Exception:
                LOG.exception('Retention of run %s could not delete %s',
                              run.id, old.id)
                db_runs.release(None, run.id, self.owner)
                return None
            deleted.append(old.id)
            rpcapi.get_api().run_operation(context, delete.id)
        return deleted

    def _end(self, run, state, reason=None, deleted_checkpoints=None):
        if db_runs.end(None, run.id, self.owner, state, reason,
                       deleted_checkpoints):
            LOG.info('Scheduled run %s of %s %s%s', run.id,
                     run.scheduled_operation_id, state,
                     ': %s' % reason if reason else '')


def _checkpoints_of(context, operation):
    """Every checkpoint the operation created in its provider's main bank."""
    found, marker = [], None
    while True:
        rows, more = db_checkpoints.checkpoint_list(
            context, operation.project_id, operation.provider_id,
            filters={'plan_id': operation.plan_id,
                     'destination': db_checkpoints.MAIN_BANK,
                     'extra_info': [(db_operations.SCHEDULED_OPERATION_KEY,
                                     operation.id)]},
            sort=[('created_at', 'desc')], limit=500, marker=marker)
        found.extend(rows)
        if not more:
            return found
        marker = rows[-1].id

