"""DB API of the operation engine: claiming due runs and following them.

Every step is a conditional update, so any number of engines can share the
work: a due time is moved forward by exactly one of them (the run row's
unique (operation, due time) backs that up), a claimed run is started once
(its state changes in the transaction that creates its checkpoint), and a
run is followed up by one engine at a time under a lease.
"""

import datetime

from oslo_db import exception as db_exc
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from karbor.common import constants
from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import session as db_session

C = constants

Run = models.ScheduledRun
Op = models.ScheduledOperation


class RunTakenOver(exceptions.KarborException):
    """Another engine holds the run: roll back what was about to start."""
    message = 'Scheduled run %(run_id)s is held by another engine.'


def _update(model):
    # Core-speed updates: no ORM object of the session needs refreshing
    # (the ORM's default "evaluate" walk doubled the cost of each claim).
    return sa.update(model).execution_options(synchronize_session=False)


def _delete(model):
    return sa.delete(model).execution_options(synchronize_session=False)


def _lease(now, seconds):
    return now + datetime.timedelta(seconds=seconds)


def due_operations(context, now, limit):
    """Enabled operations whose next run is due, the most overdue first."""
    with db_session.reader(context) as session:
        return session.execute(
            sa.select(Op).where(Op.enabled.is_(True), Op.next_run_at <= now)
            .order_by(Op.next_run_at, Op.id)
            .limit(pagination.literal_count(limit))).scalars().all()


def claim(context, operation, expected_due, next_due, runs, owner,
          lease_seconds):
    """Move ``operation``'s due time from ``expected_due`` to ``next_due``
    and record ``runs`` (dicts: due_at, state, reason), in one transaction.

    Returns the created rows, or None when another engine moved the due
    time first (nothing is written then).
    """
    now = timeutils.utcnow()
    try:
        return _claim(context, operation, expected_due, next_due, runs,
                      owner, lease_seconds, now)
    except db_exc.DBDuplicateEntry:
        # That due time already has its run (the trigger was changed back
        # to a time that already fired): it does not fire twice, and the
        # operation moves on to its next due time.
        _claim(context, operation, expected_due, next_due, [], owner,
               lease_seconds, now)
        return None


def _claim(context, operation, expected_due, next_due, runs, owner,
           lease_seconds, now):
    with db_session.writer(context) as session:
        moved = session.execute(
            _update(Op).where(Op.id == operation.id,
                                Op.enabled.is_(True),
                                Op.next_run_at == expected_due)
            # updated_at tells users when *they* last changed it.
            .values(next_run_at=next_due, updated_at=Op.updated_at))
        if moved.rowcount != 1:
            return None
        rows = []
        for values in runs:
            claimed = values['state'] == C.RUN_CLAIMED
            row = Run(id=uuidutils.generate_uuid(),
                      project_id=operation.project_id,
                      scheduled_operation_id=operation.id,
                      operation_type=operation.operation_type,
                      attempts=1 if claimed else 0,
                      owner=owner if claimed else None,
                      lease_expires_at=(_lease(now, lease_seconds)
                                        if claimed else None),
                      started_at=now if claimed else None,
                      finished_at=None if claimed else now, **values)
            session.add(row)
            rows.append(row)
        session.flush()
        return rows


# Checkpoint statuses after which a run's protect has ended.
PROTECT_ENDED = (C.CHECKPOINT_AVAILABLE, C.CHECKPOINT_ERROR,
                 C.CHECKPOINT_DELETING, C.CHECKPOINT_DELETED,
                 C.CHECKPOINT_ERROR_DELETING)


def _needs_an_engine(now):
    """Runs an engine has something to do for: claims whose engine died,
    and running runs, held by nobody, whose protect or copy has ended (the
    others are not touched until then, however many are in flight)."""
    free = sa.or_(Run.lease_expires_at.is_(None),
                  Run.lease_expires_at < now)
    protect_ended = sa.exists().where(
        models.Checkpoint.id == Run.checkpoint_id,
        models.Checkpoint.status.in_(PROTECT_ENDED))
    copy_ended = sa.exists().where(
        models.Copy.id == Run.copy_id,
        models.Copy.status != C.COPY_IN_PROGRESS)
    # A target that vanished ends its run too (failed), never "running"
    # for ever.
    target_gone = sa.and_(
        Run.copy_id.is_(None),
        ~sa.exists().where(models.Checkpoint.id == Run.checkpoint_id))
    return sa.or_(
        sa.and_(Run.state == C.RUN_CLAIMED, Run.lease_expires_at < now),
        sa.and_(Run.state == C.RUN_RUNNING, free,
                sa.or_(protect_ended, copy_ended, target_gone)))


def take_over(context, owner, lease_seconds, limit):
    """The runs that need an engine (see _needs_an_engine), now held by
    ``owner``."""
    now = timeutils.utcnow()
    with db_session.reader(context) as session:
        candidates = session.execute(
            sa.select(Run.id).where(_needs_an_engine(now))
            .order_by(Run.due_at)
            .limit(pagination.literal_count(limit))).scalars().all()
    taken = []
    for run_id in candidates:
        with db_session.writer(context) as session:
            result = session.execute(
                _update(Run).where(
                    Run.id == run_id,
                    Run.state.in_((C.RUN_CLAIMED, C.RUN_RUNNING)),
                    sa.or_(Run.lease_expires_at.is_(None),
                           Run.lease_expires_at < now))
                .values(owner=owner, lease_expires_at=_lease(
                    now, lease_seconds),
                    # Attempts count starts; following up is not one.
                    attempts=sa.case(
                        (Run.state == C.RUN_CLAIMED, Run.attempts + 1),
                        else_=Run.attempts),
                    updated_at=now))
            if result.rowcount == 1:
                taken.append(session.get(Run, run_id,
                                         populate_existing=True))
    return taken


def mark_running(session, run_id, owner, checkpoint_id=None, copy_id=None):
    """In the transaction that creates the run's checkpoint or copy."""
    result = session.execute(
        _update(Run).where(Run.id == run_id, Run.owner == owner,
                             Run.state == C.RUN_CLAIMED)
        .values(state=C.RUN_RUNNING, checkpoint_id=checkpoint_id,
                copy_id=copy_id, lease_expires_at=None,
                updated_at=timeutils.utcnow()))
    if result.rowcount != 1:
        raise RunTakenOver(run_id=run_id)


def release(context, run_id, owner):
    """Let any engine follow the run up again (at its next poll)."""
    with db_session.writer(context) as session:
        session.execute(
            _update(Run).where(Run.id == run_id, Run.owner == owner)
            .values(lease_expires_at=None, owner=None))


def end(context, run_id, owner, state, reason=None,
        deleted_checkpoints=None):
    """End a run held by ``owner``; False if it no longer holds it."""
    now = timeutils.utcnow()
    with db_session.writer(context) as session:
        result = session.execute(
            _update(Run).where(
                Run.id == run_id, Run.owner == owner,
                Run.state.in_((C.RUN_CLAIMED, C.RUN_RUNNING)))
            .values(state=state, reason=reason, finished_at=now,
                    deleted_checkpoints=deleted_checkpoints, owner=None,
                    lease_expires_at=None, updated_at=now))
        return result.rowcount == 1


def prune(context, finished_before):
    """Forget ended runs that finished before ``finished_before``."""
    with db_session.writer(context) as session:
        return session.execute(
            _delete(Run).where(Run.state.in_(C.RUN_ENDED),
                                 Run.finished_at < finished_before)
        ).rowcount


def run_get(context, run_id):
    with db_session.reader(context) as session:
        return session.get(Run, run_id)
