"""DB API for the checkpoint index."""

import hashlib

import sqlalchemy as sa

from karbor.common import constants
from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import session as db_session

# The destination filter's name for the provider's main bank.
MAIN_BANK = 'main'


def _visible(query, project_id, provider_id, include_deleted=False):
    if project_id is not None:
        query = query.where(models.Checkpoint.project_id == project_id)
    if provider_id is not None:
        query = query.where(models.Checkpoint.provider_id == provider_id)
    if not include_deleted:
        query = query.where(
            models.Checkpoint.status != constants.CHECKPOINT_DELETED)
    return query


def checkpoint_get(context, checkpoint_id, project_id=None,
                   provider_id=None, include_deleted=False):
    with db_session.reader(context) as session:
        query = _visible(sa.select(models.Checkpoint), project_id,
                         provider_id, include_deleted).where(
            models.Checkpoint.id == checkpoint_id)
        checkpoint = session.execute(query).scalars().first()
        if checkpoint is None:
            raise exceptions.CheckpointNotFound(checkpoint_id=checkpoint_id)
        return checkpoint


def value_hash(value):
    return hashlib.sha256(value.encode('utf-8')).hexdigest()


def index_extra_info(session, checkpoint_id, extra_info):
    """Make a new checkpoint's extra-info filterable (same transaction)."""
    session.add_all(models.CheckpointExtraInfo(
        checkpoint_id=checkpoint_id, key=key, value=value,
        value_sha256=value_hash(value))
        for key, value in extra_info.items())


def _with_extra_info(query, pairs):
    for key, value in pairs:
        info = models.CheckpointExtraInfo
        query = query.where(models.Checkpoint.id.in_(
            sa.select(info.checkpoint_id).where(
                info.key == key, info.value_sha256 == value_hash(value),
                info.value == value)))
    return query


def checkpoint_list(context, project_id, provider_id, filters=None, sort=(),
                    limit=1000, marker=None):
    """One page of checkpoints; deleted ones only when asked by status.

    ``filters['extra_info']`` is a list of (key, value) pairs that must all
    match.
    """
    filters = dict(filters or {})
    include_deleted = filters.get('status') == constants.CHECKPOINT_DELETED
    with db_session.reader(context) as session:
        base = _visible(sa.select(models.Checkpoint), project_id,
                        provider_id, include_deleted)
        query = base
        if 'plan_id' in filters:
            query = query.where(
                models.Checkpoint.plan_id == filters['plan_id'])
        if 'status' in filters:
            query = query.where(models.Checkpoint.status == filters['status'])
        if 'destination' in filters:
            # "main" (or an empty value) names the provider's main bank.
            destination = filters['destination']
            query = query.where(
                models.Checkpoint.destination.is_(None)
                if destination in ('', MAIN_BANK)
                else models.Checkpoint.destination == destination)
        if 'copied_from' in filters:
            query = query.where(
                models.Checkpoint.copied_from == filters['copied_from'])
        if 'created_after' in filters:
            query = query.where(
                models.Checkpoint.created_at >= filters['created_after'])
        if 'created_before' in filters:
            query = query.where(
                models.Checkpoint.created_at < filters['created_before'])
        if filters.get('extra_info'):
            query = _with_extra_info(query, filters['extra_info'])
        return pagination.page(session, query, models.Checkpoint, sort,
                               limit, marker, marker_query=base)


def transition(session, checkpoint_id, allowed_from, to_status, **values):
    """Move a checkpoint to ``to_status`` if it is in ``allowed_from``.

    Returns the row, or None when its status is not one of
    ``allowed_from`` (someone else changed it first). Every status change
    of a checkpoint goes through here, so the transition table holds.
    """
    checkpoint = session.execute(
        sa.select(models.Checkpoint).where(
            models.Checkpoint.id == checkpoint_id).with_for_update()
    ).scalars().first()
    if checkpoint is None or checkpoint.status not in allowed_from:
        return None
    if to_status != checkpoint.status and to_status not in \
            constants.CHECKPOINT_TRANSITIONS[checkpoint.status]:
        raise ValueError('checkpoint transition %s -> %s is not allowed'
                         % (checkpoint.status, to_status))
    checkpoint.status = to_status
    for key, value in values.items():
        setattr(checkpoint, key, value)
    session.flush()
    return checkpoint


def reset_state(context, checkpoint_id, project_id, provider_id, state):
    with db_session.writer(context) as session:
        checkpoint = checkpoint_get(context, checkpoint_id, project_id,
                                    provider_id)
        updated = transition(session, checkpoint_id,
                             constants.CHECKPOINT_RESETTABLE, state,
                             error_info=None)
        if updated is None:
            raise exceptions.InvalidCheckpointState(
                checkpoint_id=checkpoint_id, status=checkpoint.status,
                action='reset-state',
                allowed=' or '.join(constants.CHECKPOINT_RESETTABLE))
        return updated
