"""DB API for copies: a request copying checkpoints to a copy destination.

A copy request, its (source checkpoint x destination) pairs, one copy
checkpoint per pair, and one copy operation (with its log) per pair are
created in one transaction (:func:`accept_copy`). Each operation ends its
pair and copy checkpoint in karbor.db.operations.finish, which calls
:func:`end_pair` in its transaction; the last pair to end ends the request.
"""

from oslo_db import exception as db_exc
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy import orm

from karbor import notifications
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import checkpoints as db_checkpoints
from karbor.db import models
from karbor.db import operation_logs as db_logs
from karbor.db import pagination
from karbor.db import quotas as db_quotas
from karbor.db import session as db_session

C = constants
FILTERS = ('plan_id', 'provider_id', 'status', 'destination')


def exclusive_key(source_id, destination):
    return 'copy:%s:%s' % (source_id, destination)


def _sources(session, project_id, provider_id, plan_id, destination,
             checkpoint_id):
    """The checkpoints to copy, locked: ``checkpoint_id`` alone, or every
    available main-bank checkpoint of the plan not copied there yet."""
    checkpoint = models.Checkpoint
    query = sa.select(checkpoint).where(
        checkpoint.project_id == project_id,
        checkpoint.provider_id == provider_id)
    if checkpoint_id is not None:
        found = session.execute(query.where(checkpoint.id == checkpoint_id)
                                .with_for_update()).scalars().first()
        if found is None or found.status == C.CHECKPOINT_DELETED:
            raise exceptions.CheckpointNotFound(checkpoint_id=checkpoint_id)
        if found.status != C.CHECKPOINT_AVAILABLE or \
                found.destination is not None or \
                (plan_id is not None and found.plan_id != plan_id):
            # Copies are made from the main bank only.
            raise exceptions.InvalidCheckpointState(
                checkpoint_id=checkpoint_id,
                status=found.status if found.destination is None else
                '%s in copy destination %s' % (found.status,
                                                found.destination),
                action='copy', allowed='%s in the main bank, of plan %s'
                % (C.CHECKPOINT_AVAILABLE, plan_id or found.plan_id))
        return [found]
    query = query.where(checkpoint.destination.is_(None))
    pair = models.CheckpointCopy
    copied = orm.aliased(models.Checkpoint)
    # Copied (or being copied) there, and the copy was not deleted since.
    done = sa.select(pair.source_checkpoint_id).join(
        copied, copied.id == pair.copy_checkpoint_id).where(
        pair.destination == destination,
        pair.status.in_(C.COPY_PAIR_DONE_OR_RUNNING),
        copied.status != C.CHECKPOINT_DELETED)
    return session.execute(
        query.where(checkpoint.plan_id == plan_id,
                    checkpoint.status == C.CHECKPOINT_AVAILABLE,
                    checkpoint.id.not_in(done))
        .order_by(checkpoint.created_at, checkpoint.id)
        .with_for_update()).scalars().all()


def _taken(session, pair):
    """Whether ``pair`` holds its source's copy there (or is making it)."""
    if pair.status not in C.COPY_PAIR_DONE_OR_RUNNING:
        return False
    copied = session.get(models.Checkpoint, pair.copy_checkpoint_id)
    return copied is not None and copied.status != C.CHECKPOINT_DELETED


def _copy_checkpoint(session, context, source, destination, existing):
    """The copy checkpoint of ``source``: a new row, or the failed copy of
    a previous request put back to wait_copying (retried in place: what it
    already copied is skipped)."""
    if existing is not None:
        row = db_checkpoints.transition(
            session, existing.copy_checkpoint_id, (C.CHECKPOINT_ERROR,),
            C.CHECKPOINT_WAIT_COPYING, error_info=None, finished_at=None,
            progress=None)
        if row is not None:
            return row
    extra_info = dict(source.extra_info or {})
    extra_info[C.COPIED_FROM_KEY] = source.id
    row = models.Checkpoint(
        id=uuidutils.generate_uuid(), project_id=source.project_id,
        user_id=context.user_id, provider_id=source.provider_id,
        plan_id=source.plan_id, plan=source.plan,
        status=C.CHECKPOINT_WAIT_COPYING,
        resource_graph=source.resource_graph, extra_info=extra_info,
        destination=destination, copied_from=source.id)
    session.add(row)
    session.flush()
    db_checkpoints.index_extra_info(session, row.id, extra_info)
    return row


def accept_copy(context, copy_values, checkpoint_id=None,
                in_transaction=None, scheduled_operation_id=None):
    """Create the copy request and, for each checkpoint to copy, its pair,
    copy checkpoint, operation and log. Returns (copy, pairs, operations).

    ``in_transaction(session, copy)``, if given, runs in the same
    transaction (the operation engine marks its run started there).
    """
    from karbor.db import operations as db_operations  # it imports us
    destination = copy_values['destination']
    logs = []
    limited = db_quotas.prepare(copy_values['project_id'],
                                db_quotas.CHECKPOINTS)
    try:
        with db_session.writer(context) as session:
            # Locked before anything is read (see karbor.db.quotas.lock);
            # checked once the new copy checkpoints are known.
            quota = db_quotas.lock(session, copy_values['project_id'],
                                   db_quotas.CHECKPOINTS) if limited else None
            created = 0
            sources = _sources(session, copy_values['project_id'],
                               copy_values['provider_id'],
                               copy_values.get('plan_id'), destination,
                               checkpoint_id)
            copy = models.Copy(status=C.COPY_IN_PROGRESS, **copy_values)
            if not sources:
                # Nothing left to copy: done as soon as asked.
                copy.status = C.COPY_FINISHED
                copy.finished_at = timeutils.utcnow()
            session.add(copy)
            session.flush()
            pairs, operations = [], []
            for source in sources:
                existing = session.execute(
                    sa.select(models.CheckpointCopy).where(
                        models.CheckpointCopy.source_checkpoint_id ==
                        source.id,
                        models.CheckpointCopy.destination == destination)
                    .with_for_update()).scalars().first()
                if existing is not None and _taken(session, existing):
                    raise exceptions.InvalidCheckpointState(
                        checkpoint_id=source.id, status=existing.status,
                        action='copy to %s' % destination,
                        allowed='not copied there yet, or failed')
                target = _copy_checkpoint(session, context, source,
                                          destination, existing)
                if existing is None or \
                        target.id != existing.copy_checkpoint_id:
                    created += 1   # a failed copy retried counts already
                if existing is None:
                    pair = models.CheckpointCopy(
                        id=uuidutils.generate_uuid(), copy_id=copy.id,
                        project_id=source.project_id,
                        source_checkpoint_id=source.id,
                        copy_checkpoint_id=target.id,
                        destination=destination,
                        status=C.COPY_PAIR_WAITING)
                    session.add(pair)
                else:
                    pair = existing
                    pair.copy_id = copy.id
                    pair.copy_checkpoint_id = target.id
                    pair.status = C.COPY_PAIR_WAITING
                    pair.error_info = None
                operation = db_operations.new_operation(
                    context, C.OPERATION_COPY, provider_id=copy.provider_id,
                    plan_id=source.plan_id, checkpoint_id=target.id,
                    copy_id=copy.id,
                    exclusive_key=exclusive_key(source.id, destination))
                session.add(operation)
                session.flush()
                logs.append(db_logs.open_log(
                    session, operation,
                    scheduled_operation_id=scheduled_operation_id,
                    task_tag=getattr(context, 'task_tag', None),
                    extra_info={'source_checkpoint_id': source.id,
                                'destination': destination}))
                pairs.append(pair)
                operations.append(operation)
            session.flush()
            if quota is not None:
                db_quotas.refuse_over(db_quotas.CHECKPOINTS, *quota,
                                      requested=created)
            if in_transaction is not None:
                in_transaction(session, copy)
    except db_exc.DBDuplicateEntry:
        # A concurrent request is copying the same checkpoint there.
        raise exceptions.InvalidCheckpointState(
            checkpoint_id=checkpoint_id or 'of plan %s'
            % copy_values.get('plan_id'), status=C.CHECKPOINT_COPYING,
            action='copy to %s' % destination,
            allowed='not being copied there') from None
    for log in logs:
        notifications.operation_event(context, log, 'start')
    return copy, pairs, operations


def _scoped(query, project_id):
    if project_id is not None:
        query = query.where(models.Copy.project_id == project_id)
    return query


def copy_get(context, copy_id, project_id=None):
    with db_session.reader(context) as session:
        copy = session.execute(
            _scoped(sa.select(models.Copy), project_id)
            .where(models.Copy.id == copy_id)).scalars().first()
        if copy is None:
            raise exceptions.CopyNotFound(copy_id=copy_id)
        return copy


def copy_list(context, project_id, filters=None, sort=(), limit=1000,
              marker=None):
    with db_session.reader(context) as session:
        base = _scoped(sa.select(models.Copy), project_id)
        query = base
        for key, value in (filters or {}).items():
            query = query.where(getattr(models.Copy, key) == value)
        return pagination.page(session, query, models.Copy, sort, limit,
                               marker, marker_query=base)


def pairs_of(context, copy_ids):
    """{copy id: [(pair, copy checkpoint progress)]}, oldest pair first."""
    found = {copy_id: [] for copy_id in copy_ids}
    if not copy_ids:
        return found
    with db_session.reader(context) as session:
        rows = session.execute(
            sa.select(models.CheckpointCopy, models.Checkpoint.progress)
            .outerjoin(models.Checkpoint, models.Checkpoint.id ==
                       models.CheckpointCopy.copy_checkpoint_id)
            .where(models.CheckpointCopy.copy_id.in_(list(copy_ids)))
            .order_by(models.CheckpointCopy.created_at,
                      models.CheckpointCopy.id)).all()
    for pair, progress in rows:
        found[pair.copy_id].append((pair, progress))
    return found


def being_copied(session, checkpoint_id):
    """Whether a copy of source ``checkpoint_id`` is waiting or running.
    (The caller holds the source's row lock, as accept_copy does.)"""
    return session.execute(
        sa.select(sa.func.count()).select_from(models.CheckpointCopy)
        .where(models.CheckpointCopy.source_checkpoint_id == checkpoint_id,
               models.CheckpointCopy.status.in_(
                   (C.COPY_PAIR_WAITING, C.COPY_PAIR_COPYING)))
    ).scalar_one() > 0


def start_pair(context, operation):
    """Copy checkpoint and pair wait_copying -> copying (idempotent)."""
    with db_session.writer(context) as session:
        db_checkpoints.transition(
            session, operation.checkpoint_id,
            (C.CHECKPOINT_WAIT_COPYING, C.CHECKPOINT_COPYING),
            C.CHECKPOINT_COPYING)
        session.execute(
            sa.update(models.CheckpointCopy)
            .where(models.CheckpointCopy.copy_checkpoint_id ==
                   operation.checkpoint_id,
                   models.CheckpointCopy.status == C.COPY_PAIR_WAITING)
            .values(status=C.COPY_PAIR_COPYING,
                    updated_at=timeutils.utcnow()))


def end_pair(session, operation, success, reason, now):
    """In the finishing transaction of a copy operation: its copy checkpoint
    available | error, its pair finished | error, and, when it was the last
    pair of its request, the request finished | error."""
    db_checkpoints.transition(
        session, operation.checkpoint_id,
        (C.CHECKPOINT_WAIT_COPYING, C.CHECKPOINT_COPYING),
        C.CHECKPOINT_AVAILABLE if success else C.CHECKPOINT_ERROR,
        finished_at=now, error_info=None if success else reason)
    # The request first, locked: concurrent ends of its pairs queue here,
    # so exactly one of them sees that it is the last.
    copy = session.execute(
        sa.select(models.Copy).where(models.Copy.id == operation.copy_id)
        .with_for_update()).scalars().first()
    pair = session.execute(
        sa.select(models.CheckpointCopy).where(
            models.CheckpointCopy.copy_checkpoint_id ==
            operation.checkpoint_id).with_for_update()).scalars().first()
    if pair is not None and pair.status in (C.COPY_PAIR_WAITING,
                                            C.COPY_PAIR_COPYING):
        pair.status = C.COPY_PAIR_FINISHED if success else C.COPY_PAIR_ERROR
        pair.error_info = None if success else reason
    session.flush()
    if copy is None or copy.status != C.COPY_IN_PROGRESS:
        return
    # A locking read: the latest committed statuses, whatever the
    # isolation level.
    statuses = session.execute(
        sa.select(models.CheckpointCopy.status).where(
            models.CheckpointCopy.copy_id == copy.id).with_for_update()
    ).scalars().all()
    if any(s in (C.COPY_PAIR_WAITING, C.COPY_PAIR_COPYING)
           for s in statuses):
        return
    failed = statuses.count(C.COPY_PAIR_ERROR)
    copy.finished_at = now
    if failed:
        copy.status = C.COPY_ERROR
        copy.error_info = ('%d of %d checkpoints could not be copied (see '
                           'checkpoints[].error_info)'
                           % (failed, len(statuses)))
    else:
        copy.status = C.COPY_FINISHED
        copy.error_info = None
