"""Which checkpoints a retention policy lets go.

Only the checkpoints a scheduled operation created are its to prune: a
checkpoint a user took by hand is never deleted by a schedule.
"""

import datetime

from karbor.common import constants

C = constants


def unlimited(value):
    """``max_backups`` / ``retention_duration`` of 0 or less: no limit."""
    return value is None or value <= 0


def beyond_policy(checkpoints, max_backups, retention_days, now):
    """The checkpoints to delete, oldest first.

    ``checkpoints`` are this operation's checkpoints in its main bank
    (objects with ``id``, ``status``, ``created_at``). Kept: the newest
    ``max_backups`` available ones that are younger than
    ``retention_days``. Let go: the other available ones, and the errored
    ones older than the newest available checkpoint (a later run
    succeeded, so they only hold quota). Nothing is let go while no
    checkpoint is available: a failing schedule keeps its last good
    backups and the evidence of its failures.
    """
    available = sorted(
        (c for c in checkpoints if c.status == C.CHECKPOINT_AVAILABLE),
        key=lambda c: (c.created_at, c.id), reverse=True)
    if not available:
        return []
    newest = available[0]
    kept = available if unlimited(max_backups) else available[:max_backups]
    if not unlimited(retention_days):
        oldest_allowed = now - datetime.timedelta(days=retention_days)
        # The newest one stays whatever its age: retention never leaves
        # a plan without a backup.
        kept = [c for c in kept
                if c is newest or c.created_at >= oldest_allowed]
    kept_ids = {c.id for c in kept}
    let_go = [c for c in available if c.id not in kept_ids]
    let_go += [c for c in checkpoints
               if c.status == C.CHECKPOINT_ERROR
               and c.created_at < newest.created_at]
    return sorted(let_go, key=lambda c: (c.created_at, c.id))
