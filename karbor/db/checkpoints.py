"""DB API for the checkpoint index."""

import collections
import hashlib

import sqlalchemy as sa

from karbor.common import constants
from karbor.common import exceptions
from karbor.db import models
from karbor.db import pagination
from karbor.db import session as db_session

# The destination filter's name for the provider's main bank.
MAIN_BANK = 'main'


# Lists read rows (Core), not ORM entities: the page is rendered as read.
_CHECKPOINTS = models.Checkpoint.__table__
_INFO = models.CheckpointExtraInfo.__table__


def _visible(query, project_id, provider_id, include_deleted=False):
    if project_id is not None:
        query = query.where(_CHECKPOINTS.c.project_id == project_id)
    if provider_id is not None:
        query = query.where(_CHECKPOINTS.c.provider_id == provider_id)
    if not include_deleted:
        query = query.where(
            _CHECKPOINTS.c.status != constants.CHECKPOINT_DELETED)
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
    if not extra_info:
        return
    session.flush()
    checkpoint = session.get(models.Checkpoint, checkpoint_id)
    session.add_all(models.CheckpointExtraInfo(
        checkpoint_id=checkpoint_id, key=key, value=value,
        value_sha256=value_hash(value), project_id=checkpoint.project_id,
        provider_id=checkpoint.provider_id,
        created_at=checkpoint.created_at)
        for key, value in extra_info.items())


# The resource graph stays the JSON text it is stored as: the API shows it
# as a JSON string (what Karbor v1 clients parse), so it is not decoded
# only to be encoded again.
_LISTED = [sa.type_coerce(c, sa.Text).label(c.name)
           if c.name == 'resource_graph' else c for c in _CHECKPOINTS.c]

# A listed checkpoint: its columns, read like a model (and faster than a
# SQLAlchemy row).
CheckpointRecord = collections.namedtuple(
    'CheckpointRecord', [c.name for c in _CHECKPOINTS.c])

# How many index entries of a key=value are counted, at most, to pick the
# rarest of several pairs to drive a filtered list (a pair this rare makes
# the page cheap to find; between two commoner ones, the first given
# drives).
_PAIR_COUNT_CAP = 200


def _pair_clause(info, project_id, provider_id, key, value):
    clause = [info.c.key == key, info.c.value_sha256 == value_hash(value),
              info.c.value == value]
    if project_id is not None:
        clause.append(info.c.project_id == project_id)
    if provider_id is not None:
        clause.append(info.c.provider_id == provider_id)
    return clause


def _rarest_first(connection, pairs, project_id, provider_id):
    """The pairs, the one with the fewest checkpoints first."""
    if len(pairs) < 2:
        return list(pairs)

    def matches(pair):
        capped = sa.select(sa.literal(1)).where(*_pair_clause(
            _INFO, project_id, provider_id, *pair)).limit(
                pagination.literal_count(_PAIR_COUNT_CAP))
        return connection.execute(sa.select(sa.func.count()).select_from(
            capped.subquery())).scalar_one()

    return sorted(pairs, key=matches)


def _with_extra_info(query, pairs, project_id, provider_id):
    """Restrict ``query`` to checkpoints with every (key, value) pair.

    The first pair drives: the checkpoints come from its index entries,
    whose ``created_at`` and ``checkpoint_id`` give the order (the
    returned mapping) so that a page is read in order from the index and
    stops after one page. The other pairs are checked per checkpoint.
    """
    driving = _INFO.alias('driving')
    query = query.select_from(driving.join(
        _CHECKPOINTS, _CHECKPOINTS.c.id == driving.c.checkpoint_id)).where(
            *_pair_clause(driving, project_id, provider_id, *pairs[0]))
    # MySQL/MariaDB would otherwise start from the checkpoints, read every
    # one of the project and sort the matches (a second per page with
    # 50,000 matches): the tables are joined in the order written.
    for dialect in ('mysql', 'mariadb'):
        query = query.prefix_with('STRAIGHT_JOIN', dialect=dialect)
    for key, value in pairs[1:]:
        info = _INFO.alias()
        query = query.where(sa.exists().where(
            info.c.checkpoint_id == _CHECKPOINTS.c.id,
            info.c.key == key, info.c.value_sha256 == value_hash(value),
            info.c.value == value))
    return query, {'created_at': driving.c.created_at,
                   'id': driving.c.checkpoint_id}


def checkpoint_list(context, project_id, provider_id, filters=None, sort=(),
                    limit=1000, marker=None):
    """One page of checkpoints (records, ``resource_graph`` as JSON text);
    deleted ones only when asked by status.

    ``filters['extra_info']`` is a list of (key, value) pairs that must all
    match.
    """
    filters = dict(filters or {})
    include_deleted = filters.get('status') == constants.CHECKPOINT_DELETED
    base = _visible(sa.select(*_LISTED), project_id, provider_id,
                    include_deleted)
    query = base
    if 'plan_id' in filters:
        query = query.where(_CHECKPOINTS.c.plan_id == filters['plan_id'])
    if 'status' in filters:
        query = query.where(_CHECKPOINTS.c.status == filters['status'])
    if 'destination' in filters:
        # "main" (or an empty value) names the provider's main bank.
        destination = filters['destination']
        query = query.where(
            _CHECKPOINTS.c.destination.is_(None)
            if destination in ('', MAIN_BANK)
            else _CHECKPOINTS.c.destination == destination)
    if 'copied_from' in filters:
        query = query.where(
            _CHECKPOINTS.c.copied_from == filters['copied_from'])
    if 'created_after' in filters:
        query = query.where(
            _CHECKPOINTS.c.created_at >= filters['created_after'])
    if 'created_before' in filters:
        query = query.where(
            _CHECKPOINTS.c.created_at < filters['created_before'])
    with db_session.read_connection(context) as connection:
        order_columns = None
        if filters.get('extra_info'):
            pairs = _rarest_first(connection, filters['extra_info'],
                                  project_id, provider_id)
            query, order_columns = _with_extra_info(query, pairs, project_id,
                                                    provider_id)
        rows, has_more = pagination.page(
            connection, query, models.Checkpoint, sort, limit, marker,
            marker_query=base, core=True, order_columns=order_columns)
    return [CheckpointRecord(*row) for row in rows], has_more


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


def set_resource_graph(context, checkpoint_id, graph):
    """Record the resource graph of a checkpoint still ``protecting``.

    Not a status change: one conditional UPDATE, no row lock. Returns
    False when the checkpoint is no longer protecting.
    """
    with db_session.writer(context) as session:
        result = session.execute(
            sa.update(models.Checkpoint)
            .where(models.Checkpoint.id == checkpoint_id,
                   models.Checkpoint.status ==
                   constants.CHECKPOINT_PROTECTING)
            .values(resource_graph=graph))
        return result.rowcount == 1


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
