"""DB API for the engine's operations: acceptance, claims, leases, ends.

An operation is accepted in the same transaction as its target's first
state change (a checkpoint created ``protecting``, a checkpoint moved to
``deleting``, a restore or verification created ``in_progress``, a copy
checkpoint created ``wait_copying`` by karbor.db.copies), so
neither can exist without the other. It ends in the same transaction as
its target's terminal status.
"""

import datetime

from oslo_db import exception as db_exc
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from karbor import notifications
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import checkpoints as db_checkpoints
from karbor.db import copies as db_copies
from karbor.db import models
from karbor.db import operation_logs as db_logs
from karbor.db import pagination
from karbor.db import quotas as db_quotas
from karbor.db import session as db_session

C = constants


def _new_operation(context, operation_type, **values):
    return models.Operation(
        id=uuidutils.generate_uuid(), project_id=context.project_id,
        user_id=context.user_id, operation_type=operation_type,
        state=C.OPERATION_PENDING, attempts=0,
        request_id=getattr(context, 'request_id', None), **values)


new_operation = _new_operation   # for the DB API modules of other targets


# The official extra-info key that names the scheduled operation which
# created a checkpoint; its operation logs carry it.
SCHEDULED_OPERATION_KEY = 'karbor-scheduled-operation-id'


def protect_exclusive_key(plan_id):
    return 'protect:%s' % plan_id


def accept_protect(context, checkpoint_values, in_transaction=None):
    """Create a ``protecting`` checkpoint and its protect operation.

    ``in_transaction(session, checkpoint)``, if given, runs in the same
    transaction: the operation engine marks its run started there, so a run
    and its checkpoint exist together or not at all.
    """
    checkpoint = models.Checkpoint(status=C.CHECKPOINT_PROTECTING,
                                   **checkpoint_values)
    operation = _new_operation(
        context, C.OPERATION_PROTECT, provider_id=checkpoint.provider_id,
        plan_id=checkpoint.plan_id, checkpoint_id=checkpoint.id,
        exclusive_key=protect_exclusive_key(checkpoint.plan_id))
    extra_info = checkpoint.extra_info or {}
    limited = db_quotas.prepare(checkpoint.project_id,
                                db_quotas.CHECKPOINTS)
    try:
        with db_session.writer(context) as session:
            if limited:
                # QuotaExceeded (413) before anything is inserted.
                db_quotas.check(session, checkpoint.project_id,
                                db_quotas.CHECKPOINTS)
            session.add(checkpoint)
            session.add(operation)
            session.flush()
            db_checkpoints.index_extra_info(session, checkpoint.id,
                                            extra_info)
            log = db_logs.open_log(
                session, operation,
                scheduled_operation_id=extra_info.get(
                    SCHEDULED_OPERATION_KEY),
                task_tag=getattr(context, 'task_tag', None))
            if in_transaction is not None:
                in_transaction(session, checkpoint)
    except db_exc.DBDuplicateEntry:
        raise exceptions.ProtectInProgress(
            plan_id=checkpoint.plan_id) from None
    notifications.operation_event(context, log, 'start')
    return checkpoint, operation


def accept_delete(context, checkpoint_id, project_id, provider_id,
                  scheduled_operation_id=None):
    """Move a checkpoint to ``deleting`` and create its delete operation.

    ``scheduled_operation_id`` names the scheduled operation whose retention
    asked for it, for the operation log.
    """
    with db_session.writer(context) as session:
        current = db_checkpoints.checkpoint_get(context, checkpoint_id,
                                                project_id, provider_id)
        checkpoint = db_checkpoints.transition(
            session, checkpoint_id, C.CHECKPOINT_DELETABLE,
            C.CHECKPOINT_DELETING, error_info=None)
        if checkpoint is None:
            raise exceptions.InvalidCheckpointState(
                checkpoint_id=checkpoint_id, status=current.status,
                action='delete',
                allowed=' or '.join(C.CHECKPOINT_DELETABLE))
        if db_copies.being_copied(session, checkpoint_id):
            # The copy reads the source's objects: it must end first.
            raise exceptions.InvalidCheckpointState(
                checkpoint_id=checkpoint_id,
                status='%s and being copied' % current.status,
                action='delete', allowed='not being copied')
        reading = _reading(session, checkpoint_id)
        if reading:
            # So do restores and verifications: deleting the objects under
            # them would fail them half-way (a restore over the original
            # would leave it half restored).
            raise exceptions.InvalidCheckpointState(
                checkpoint_id=checkpoint_id,
                status='%s and being %s' % (current.status, reading),
                action='delete', allowed='not being restored or verified')
        operation = _new_operation(
            context, C.OPERATION_DELETE, provider_id=provider_id,
            plan_id=checkpoint.plan_id, checkpoint_id=checkpoint_id,
            exclusive_key='checkpoint:%s' % checkpoint_id)
        session.add(operation)
        session.flush()
        log = db_logs.open_log(session, operation,
                               scheduled_operation_id=scheduled_operation_id,
                               task_tag=getattr(context, 'task_tag', None))
    notifications.operation_event(context, log, 'start')
    return checkpoint, operation


_READING = {C.OPERATION_RESTORE: 'restored', C.OPERATION_VERIFY: 'verified'}


def _reading(session, checkpoint_id):
    """'restored' or 'verified' while such an operation of the checkpoint
    has not ended, else None. (The caller holds the checkpoint's row lock,
    which accept_restore and accept_verify take too.)"""
    found = session.execute(
        sa.select(models.Operation.operation_type)
        .where(models.Operation.checkpoint_id == checkpoint_id,
               models.Operation.operation_type.in_(tuple(_READING)),
               models.Operation.state != C.OPERATION_DONE)
        .limit(pagination.literal_count(1))).scalars().first()
    return _READING.get(found)


def _available_checkpoint(session, checkpoint_id, action):
    """The checkpoint, locked, if it is ``available``; else a conflict."""
    checkpoint = session.execute(
        sa.select(models.Checkpoint).where(
            models.Checkpoint.id == checkpoint_id)
        .with_for_update()).scalars().first()
    if checkpoint is None or checkpoint.status != C.CHECKPOINT_AVAILABLE:
        raise exceptions.InvalidCheckpointState(
            checkpoint_id=checkpoint_id,
            status=checkpoint.status if checkpoint else 'gone',
            action=action, allowed=C.CHECKPOINT_AVAILABLE)
    return checkpoint


def accept_restore(context, restore_values):
    """Create an ``in_progress`` restore of an available checkpoint."""
    with db_session.writer(context) as session:
        checkpoint = _available_checkpoint(
            session, restore_values['checkpoint_id'], 'restore')
        restore = models.Restore(status=C.RESTORE_IN_PROGRESS,
                                 resources_status={}, resources_reason={},
                                 **restore_values)
        operation = _new_operation(
            context, C.OPERATION_RESTORE,
            provider_id=restore.provider_id, plan_id=checkpoint.plan_id,
            checkpoint_id=checkpoint.id, restore_id=restore.id)
        session.add(restore)
        session.add(operation)
        session.flush()
        log = db_logs.open_log(session, operation,
                               task_tag=getattr(context, 'task_tag', None))
    notifications.operation_event(context, log, 'start')
    return restore, operation


def accept_verify(context, verification_values):
    """Create an ``in_progress`` verification of an available checkpoint."""
    with db_session.writer(context) as session:
        checkpoint = _available_checkpoint(
            session, verification_values['checkpoint_id'], 'verify')
        verification = models.Verification(
            status=C.VERIFICATION_IN_PROGRESS, resources_status={},
            resources_reason={}, **verification_values)
        operation = _new_operation(
            context, C.OPERATION_VERIFY,
            provider_id=verification.provider_id,
            plan_id=checkpoint.plan_id, checkpoint_id=checkpoint.id,
            verification_id=verification.id)
        session.add(verification)
        session.add(operation)
        session.flush()
        log = db_logs.open_log(session, operation,
                               task_tag=getattr(context, 'task_tag', None))
    notifications.operation_event(context, log, 'start')
    return verification, operation


def operation_get(context, operation_id):
    with db_session.reader(context) as session:
        operation = session.get(models.Operation, operation_id)
        if operation is None:
            raise exceptions.NotFound(
                'Operation %s could not be found.' % operation_id)
        return operation


def claim(context, operation_id, owner, lease_seconds, in_transaction=None):
    """Take ``operation_id`` if nobody holds a live lease on it.

    Returns the operation, or None when another worker owns it or it is
    done. The conditional UPDATE is what makes two workers never run the
    same operation. ``in_transaction(session, operation)``, if given, runs
    in the same transaction once the operation is taken (the engine gives
    it the flow that saves its progress there).
    """
    now = timeutils.utcnow()
    with db_session.writer(context) as session:
        result = session.execute(
            sa.update(models.Operation)
            .where(models.Operation.id == operation_id)
            .where(sa.or_(
                models.Operation.state == C.OPERATION_PENDING,
                sa.and_(models.Operation.state == C.OPERATION_RUNNING,
                        models.Operation.lease_expires_at < now)))
            .values(state=C.OPERATION_RUNNING, owner=owner,
                    lease_expires_at=now + datetime.timedelta(
                        seconds=lease_seconds),
                    attempts=models.Operation.attempts + 1,
                    updated_at=now))
        if result.rowcount != 1:
            return None
        operation = session.get(models.Operation, operation_id,
                                populate_existing=True)
        if in_transaction is not None:
            in_transaction(session, operation)
        return operation


def renew(context, owner, operation_ids, lease_seconds):
    """Extend the leases ``owner`` holds; returns the ids still owned.

    An operation ``owner`` has just finished counts as owned: it is not
    lost, only done before its worker thread has noticed.
    """
    if not operation_ids:
        return set()
    now = timeutils.utcnow()
    with db_session.writer(context) as session:
        session.execute(
            sa.update(models.Operation)
            .where(models.Operation.id.in_(operation_ids))
            .where(models.Operation.owner == owner)
            .where(models.Operation.state == C.OPERATION_RUNNING)
            .values(lease_expires_at=now + datetime.timedelta(
                seconds=lease_seconds)))
        owned = session.execute(
            sa.select(models.Operation.id)
            .where(models.Operation.id.in_(operation_ids))
            .where(models.Operation.owner == owner)
        ).scalars().all()
        return set(owned)


def is_owner(context, operation_id, owner):
    with db_session.reader(context) as session:
        return session.execute(
            sa.select(sa.func.count()).select_from(models.Operation)
            .where(models.Operation.id == operation_id,
                   models.Operation.owner == owner,
                   models.Operation.state == C.OPERATION_RUNNING)
        ).scalar_one() == 1


def recoverable(context, pending_grace_seconds, limit=50):
    """Operations nobody is working on: expired leases, forgotten casts."""
    now = timeutils.utcnow()
    forgotten = now - datetime.timedelta(seconds=pending_grace_seconds)
    with db_session.reader(context) as session:
        return session.execute(
            sa.select(models.Operation.id)
            .where(sa.or_(
                sa.and_(models.Operation.state == C.OPERATION_RUNNING,
                        models.Operation.lease_expires_at < now),
                sa.and_(models.Operation.state == C.OPERATION_PENDING,
                        models.Operation.created_at < forgotten)))
            .order_by(models.Operation.created_at)
            .limit(pagination.literal_count(limit))).scalars().all()


# Terminal statuses of each operation's target, on success and failure.
_CHECKPOINT_ENDS = {
    C.OPERATION_PROTECT: ((C.CHECKPOINT_PROTECTING,),
                          C.CHECKPOINT_AVAILABLE, C.CHECKPOINT_ERROR),
    C.OPERATION_DELETE: ((C.CHECKPOINT_DELETING,),
                         C.CHECKPOINT_DELETED, C.CHECKPOINT_ERROR_DELETING),
}

# Operations whose target is a record of their own: (model, the
# operation's column naming it, running, success, failure statuses).
_RECORD_ENDS = {
    C.OPERATION_RESTORE: (models.Restore, 'restore_id',
                          C.RESTORE_IN_PROGRESS, C.RESTORE_SUCCESS,
                          C.RESTORE_FAIL),
    C.OPERATION_VERIFY: (models.Verification, 'verification_id',
                         C.VERIFICATION_IN_PROGRESS, C.VERIFICATION_SUCCESS,
                         C.VERIFICATION_FAIL),
}


def finish(context, operation_id, owner, success, reason=None,
           in_transaction=None):
    """End an operation and its target in one transaction.

    Returns False (and changes nothing) when ``owner`` no longer holds the
    operation: its new owner will end it. ``in_transaction(session,
    operation)``, if given, runs in the same transaction (the engine drops
    the operation's saved flow there).
    """
    now = timeutils.utcnow()
    with db_session.writer(context) as session:
        operation = session.execute(
            sa.select(models.Operation)
            .where(models.Operation.id == operation_id,
                   models.Operation.state == C.OPERATION_RUNNING,
                   models.Operation.owner == owner)
            .with_for_update()).scalars().first()
        if operation is None:
            return False
        if operation.operation_type in _CHECKPOINT_ENDS:
            allowed, done, failed = _CHECKPOINT_ENDS[
                operation.operation_type]
            values = {'finished_at': now,
                      'error_info': None if success else reason}
            if success and done == C.CHECKPOINT_DELETED:
                values['deleted_at'] = now
            db_checkpoints.transition(session, operation.checkpoint_id,
                                      allowed, done if success else failed,
                                      **values)
        elif operation.operation_type == C.OPERATION_COPY:
            # Copy checkpoint, pair, and maybe the whole copy request.
            db_copies.end_pair(session, operation, success, reason, now)
        elif operation.operation_type in _RECORD_ENDS:
            model, column, running, done, failed = _RECORD_ENDS[
                operation.operation_type]
            record = session.get(model, getattr(operation, column),
                                 with_for_update=True)
            if record is not None and record.status == running:
                record.status = done if success else failed
                record.error_info = None if success else reason
                record.finished_at = now
        log = db_logs.close_log(session, operation, success, reason)
        if in_transaction is not None:
            in_transaction(session, operation)
        operation.state = C.OPERATION_DONE
        operation.exclusive_key = None
        operation.lease_expires_at = None
        operation.finished_at = now
        operation.error_info = None if success else reason
        session.flush()
    notifications.operation_event(context, log,
                                  'end' if success else 'error')
    return True


def active_for_plan(context, plan_id):
    """Operations still running or pending for ``plan_id``."""
    with db_session.reader(context) as session:
        return session.execute(
            sa.select(sa.func.count()).select_from(models.Operation)
            .where(models.Operation.plan_id == plan_id,
                   models.Operation.state != C.OPERATION_DONE)
        ).scalar_one()
