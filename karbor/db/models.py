"""SQLAlchemy models. Every change here comes with an alembic revision.

The migration test (tests/functional/db/test_migrations.py) checks that the
migrations build exactly these tables.
"""

from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import mysql

from karbor.db.types import JsonEncoded
from karbor.db.types import utc_datetime

# Naming convention so that constraint and index names are the same on
# every back end and alembic can refer to them.
NAMING_CONVENTION = {
    'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}

TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


class Base(orm.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _now():
    return timeutils.utcnow()


class TimestampMixin:
    created_at = sa.Column(utc_datetime(), nullable=False, default=_now)
    updated_at = sa.Column(utc_datetime(), nullable=False, default=_now,
                           onupdate=_now)


class Service(TimestampMixin, Base):
    """A running daemon, kept alive by its heartbeats."""

    __tablename__ = 'services'
    __table_args__ = (
        sa.UniqueConstraint('host', 'binary'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    host = sa.Column(sa.String(255), nullable=False)
    binary = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255), nullable=True)
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    disabled_reason = sa.Column(sa.String(255), nullable=True)
    last_heartbeat = sa.Column(utc_datetime(), nullable=True)


class Plan(TimestampMixin, Base):
    """What to protect: a provider and a list of resources."""

    __tablename__ = 'plans'
    __table_args__ = (
        # Every list filter and the default sort (created_at desc, id) are
        # served by an index that starts with the project.
        sa.Index('ix_plans_project_id_created_at_id',
                 'project_id', 'created_at', 'id'),
        sa.Index('ix_plans_project_id_name', 'project_id', 'name'),
        sa.Index('ix_plans_project_id_status', 'project_id', 'status'),
        sa.Index('ix_plans_project_id_description',
                 'project_id', 'description'),
        sa.Index('ix_plans_created_at_id', 'created_at', 'id'),
        sa.Index('ix_plans_provider_id', 'provider_id'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.String(255), nullable=True)
    provider_id = sa.Column(sa.String(36), nullable=False)
    status = sa.Column(sa.String(32), nullable=False)
    parameters = sa.Column(JsonEncoded, nullable=False)

    # [{"id", "type", "name", "extra_info"}], in the user's order: always
    # read and written with the plan, as a whole.
    resources = sa.Column(JsonEncoded, nullable=False)


class Checkpoint(TimestampMixin, Base):
    """A backup of a plan in its provider's bank, indexed here.

    The bank holds the same metadata (self-describing banks); this row is
    the index that lists and filters are served from.
    """

    __tablename__ = 'checkpoints'
    __table_args__ = (
        sa.Index('ix_checkpoints_project_provider_created',
                 'project_id', 'provider_id', 'created_at', 'id'),
        sa.Index('ix_checkpoints_provider_created',
                 'provider_id', 'created_at', 'id'),
        sa.Index('ix_checkpoints_plan_id_status', 'plan_id', 'status'),
        sa.Index('ix_checkpoints_project_status', 'project_id', 'status'),
        # The copies of a source, and the checkpoints of one destination.
        sa.Index('ix_checkpoints_copied_from', 'copied_from'),
        sa.Index('ix_checkpoints_provider_destination', 'provider_id',
                 'destination'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    provider_id = sa.Column(sa.String(36), nullable=False)
    plan_id = sa.Column(sa.String(36), nullable=False)
    # The plan as it was when the checkpoint was taken.
    plan = sa.Column(JsonEncoded, nullable=False)
    status = sa.Column(sa.String(32), nullable=False)
    resource_graph = sa.Column(JsonEncoded, nullable=True)
    extra_info = sa.Column(JsonEncoded, nullable=True)
    error_info = sa.Column(sa.Text, nullable=True)
    # Items and bytes done/total while a protect runs (karbor.db.progress).
    progress = sa.Column(JsonEncoded, nullable=True)
    finished_at = sa.Column(utc_datetime(), nullable=True)
    deleted_at = sa.Column(utc_datetime(), nullable=True)
    # NULL: the provider's main bank; else the copy destination holding it.
    destination = sa.Column(sa.String(64), nullable=True)
    # The checkpoint this one is a copy of.
    copied_from = sa.Column(sa.String(36), nullable=True)


class Restore(TimestampMixin, Base):
    """A restore of a checkpoint."""

    __tablename__ = 'restores'
    __table_args__ = (
        sa.Index('ix_restores_project_created', 'project_id', 'created_at',
                 'id'),
        sa.Index('ix_restores_checkpoint_id', 'checkpoint_id'),
        sa.Index('ix_restores_project_status', 'project_id', 'status'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    provider_id = sa.Column(sa.String(36), nullable=False)
    checkpoint_id = sa.Column(sa.String(36), nullable=False)
    restore_target = sa.Column(sa.String(255), nullable=True)
    # Credentials for the target: read by the worker, never shown or logged.
    restore_auth = sa.Column(JsonEncoded, nullable=True)
    parameters = sa.Column(JsonEncoded, nullable=False)
    status = sa.Column(sa.String(32), nullable=False)
    resources_status = sa.Column(JsonEncoded, nullable=False)
    resources_reason = sa.Column(JsonEncoded, nullable=False)
    error_info = sa.Column(sa.Text, nullable=True)
    progress = sa.Column(JsonEncoded, nullable=True)
    finished_at = sa.Column(utc_datetime(), nullable=True)


class Verification(TimestampMixin, Base):
    """A check of a checkpoint: its bank objects re-read, SHA-256 compared."""

    __tablename__ = 'verifications'
    __table_args__ = (
        sa.Index('ix_verifications_project_created', 'project_id',
                 'created_at', 'id'),
        sa.Index('ix_verifications_checkpoint_id', 'checkpoint_id'),
        sa.Index('ix_verifications_project_status', 'project_id', 'status'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    provider_id = sa.Column(sa.String(36), nullable=False)
    checkpoint_id = sa.Column(sa.String(36), nullable=False)
    parameters = sa.Column(JsonEncoded, nullable=False)
    status = sa.Column(sa.String(32), nullable=False)
    resources_status = sa.Column(JsonEncoded, nullable=False)
    resources_reason = sa.Column(JsonEncoded, nullable=False)
    error_info = sa.Column(sa.Text, nullable=True)
    progress = sa.Column(JsonEncoded, nullable=True)
    finished_at = sa.Column(utc_datetime(), nullable=True)


class Copy(TimestampMixin, Base):
    """A request copying a plan's checkpoints to a copy destination."""

    __tablename__ = 'copies'
    __table_args__ = (
        sa.Index('ix_copies_project_created', 'project_id', 'created_at',
                 'id'),
        sa.Index('ix_copies_project_status', 'project_id', 'status'),
        sa.Index('ix_copies_plan_id', 'plan_id'),
        sa.Index('ix_copies_provider_id', 'provider_id'),
        sa.Index('ix_copies_destination', 'destination'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    provider_id = sa.Column(sa.String(36), nullable=False)
    plan_id = sa.Column(sa.String(36), nullable=False)
    destination = sa.Column(sa.String(64), nullable=False)
    parameters = sa.Column(JsonEncoded, nullable=False)
    status = sa.Column(sa.String(32), nullable=False)
    error_info = sa.Column(sa.Text, nullable=True)
    finished_at = sa.Column(utc_datetime(), nullable=True)


class CheckpointCopy(TimestampMixin, Base):
    """One source checkpoint copied to one destination.

    Unique per (source, destination): copying a plan again copies only
    what was never copied (or failed).
    """

    __tablename__ = 'checkpoint_copies'
    __table_args__ = (
        sa.UniqueConstraint('source_checkpoint_id', 'destination'),
        sa.Index('ix_checkpoint_copies_copy_id', 'copy_id'),
        sa.Index('ix_checkpoint_copies_copy_checkpoint_id',
                 'copy_checkpoint_id'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    # The request that last copied it (a retry moves the pair to its own).
    copy_id = sa.Column(sa.String(36), nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)
    source_checkpoint_id = sa.Column(sa.String(36), nullable=False)
    copy_checkpoint_id = sa.Column(sa.String(36), nullable=False)
    destination = sa.Column(sa.String(64), nullable=False)
    status = sa.Column(sa.String(32), nullable=False)
    error_info = sa.Column(sa.Text, nullable=True)


class Operation(TimestampMixin, Base):
    """A unit of work of the protection engine, owned under a lease.

    A worker claims a pending operation (or one whose owner's lease has
    expired) with a conditional update, so two workers never run the same
    operation; it renews the lease while it works. ``exclusive_key`` is set
    while an operation must be the only one of its kind (one protect per
    plan) and cleared when it is done; its unique index enforces that.
    """

    __tablename__ = 'operations'
    __table_args__ = (
        sa.UniqueConstraint('exclusive_key'),
        sa.Index('ix_operations_state_lease', 'state', 'lease_expires_at'),
        sa.Index('ix_operations_checkpoint_id', 'checkpoint_id'),
        sa.Index('ix_operations_plan_id_state', 'plan_id', 'state'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    operation_type = sa.Column(sa.String(32), nullable=False)
    provider_id = sa.Column(sa.String(36), nullable=False)
    plan_id = sa.Column(sa.String(36), nullable=True)
    checkpoint_id = sa.Column(sa.String(36), nullable=True)
    restore_id = sa.Column(sa.String(36), nullable=True)
    verification_id = sa.Column(sa.String(36), nullable=True)
    copy_id = sa.Column(sa.String(36), nullable=True)
    state = sa.Column(sa.String(16), nullable=False)
    exclusive_key = sa.Column(sa.String(255), nullable=True)
    owner = sa.Column(sa.String(255), nullable=True)
    lease_expires_at = sa.Column(utc_datetime(), nullable=True)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    logbook_id = sa.Column(sa.String(36), nullable=True)
    flow_id = sa.Column(sa.String(36), nullable=True)
    request_id = sa.Column(sa.String(255), nullable=True)
    error_info = sa.Column(sa.Text, nullable=True)
    finished_at = sa.Column(utc_datetime(), nullable=True)


class OperationLog(TimestampMixin, Base):
    """The durable history of an operation, kept after its targets are gone.

    Written in the same transaction as the operation's acceptance, and
    closed (``ended_at``, terminal status, ``error_info``) in the same
    transaction as its target's terminal status.
    """

    __tablename__ = 'operation_logs'
    __table_args__ = (
        # The default order and every filter, each behind the project.
        sa.Index('ix_operation_logs_project_started', 'project_id',
                 'started_at', 'id'),
        # Ending with the whole sort key (started_at, id), so a filtered
        # page is read in order from the project's own index entries.
        sa.Index('ix_operation_logs_project_type_started', 'project_id',
                 'operation_type', 'started_at', 'id'),
        sa.Index('ix_operation_logs_project_status_started', 'project_id',
                 'status', 'started_at', 'id'),
        sa.Index('ix_operation_logs_project_ended', 'project_id',
                 'ended_at'),
        sa.Index('ix_operation_logs_provider_started', 'provider_id',
                 'started_at', 'id'),
        sa.Index('ix_operation_logs_started_id', 'started_at', 'id'),
        sa.Index('ix_operation_logs_checkpoint_id', 'checkpoint_id'),
        sa.Index('ix_operation_logs_plan_id', 'plan_id'),
        sa.Index('ix_operation_logs_restore_id', 'restore_id'),
        sa.Index('ix_operation_logs_verification_id', 'verification_id'),
        sa.Index('ix_operation_logs_copy_id', 'copy_id'),
        sa.Index('ix_operation_logs_scheduled_operation_id',
                 'scheduled_operation_id'),
        sa.Index('ix_operation_logs_operation_id', 'operation_id'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    request_id = sa.Column(sa.String(255), nullable=True)
    task_tag = sa.Column(sa.String(255), nullable=True)
    operation_id = sa.Column(sa.String(36), nullable=True)
    operation_type = sa.Column(sa.String(32), nullable=False)
    checkpoint_id = sa.Column(sa.String(36), nullable=True)
    plan_id = sa.Column(sa.String(36), nullable=True)
    provider_id = sa.Column(sa.String(36), nullable=True)
    restore_id = sa.Column(sa.String(36), nullable=True)
    verification_id = sa.Column(sa.String(36), nullable=True)
    copy_id = sa.Column(sa.String(36), nullable=True)
    scheduled_operation_id = sa.Column(sa.String(36), nullable=True)
    status = sa.Column(sa.String(64), nullable=False)
    started_at = sa.Column(utc_datetime(), nullable=False)
    ended_at = sa.Column(utc_datetime(), nullable=True)
    error_info = sa.Column(sa.Text, nullable=True)
    extra_info = sa.Column(JsonEncoded, nullable=True)
    deleted_at = sa.Column(utc_datetime(), nullable=True)


class CheckpointExtraInfo(Base):
    """One extra-info key of a checkpoint, indexed for filtering.

    Values can be longer than an index allows, so the index holds their
    SHA-256; the value itself confirms the match.
    """

    __tablename__ = 'checkpoint_extra_info'
    __table_args__ = (
        # One key=value of a project's provider, newest first: a filtered
        # page is one range of this index, however many checkpoints match.
        sa.Index('ix_checkpoint_extra_info_page', 'key', 'value_sha256',
                 'project_id', 'provider_id', 'created_at', 'checkpoint_id'),
        TABLE_ARGS,
    )

    checkpoint_id = sa.Column(
        sa.String(36), sa.ForeignKey('checkpoints.id', ondelete='CASCADE'),
        primary_key=True)
    key = sa.Column(sa.String(255), primary_key=True)
    value = sa.Column(sa.Text, nullable=False)
    value_sha256 = sa.Column(sa.String(64), nullable=False)
    # Copies of the checkpoint's (they never change), for the index above.
    project_id = sa.Column(sa.String(255), nullable=False)
    provider_id = sa.Column(sa.String(36), nullable=False)
    created_at = sa.Column(utc_datetime(), nullable=False)


class Task(TimestampMixin, Base):
    """A mutating request, findable by the tag its client chose.

    Inserted at the start of the request's first write transaction, so it
    exists exactly when the request changed something. (project_id, tag)
    is unique: a retried request with the same tag finds it instead of
    running again. ``created_at`` is the start time, ``updated_at`` the
    last update; the state is derived from the operation it started.
    """

    __tablename__ = 'tasks'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'tag'),
        sa.Index('ix_tasks_project_created', 'project_id', 'created_at',
                 'id'),
        sa.Index('ix_tasks_project_resource', 'project_id', 'resource_type',
                 'resource_id'),
        sa.Index('ix_tasks_expires_at', 'expires_at'),
        sa.Index('ix_tasks_operation_id', 'operation_id'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    tag = sa.Column(sa.String(255), nullable=True)
    user_id = sa.Column(sa.String(255), nullable=True)
    request_id = sa.Column(sa.String(255), nullable=True)
    action = sa.Column(sa.String(64), nullable=False)
    method = sa.Column(sa.String(8), nullable=False)
    path = sa.Column(sa.String(1024), nullable=False)
    # What makes two requests with the tag the same request (empty for an
    # untagged request, which is never compared with another).
    fingerprint = sa.Column(sa.String(64), nullable=False)
    resource_type = sa.Column(sa.String(32), nullable=True)
    resource_id = sa.Column(sa.String(255), nullable=True)
    resource_path = sa.Column(sa.String(1024), nullable=True)
    operation_id = sa.Column(sa.String(36), nullable=True)
    response_status = sa.Column(sa.Integer, nullable=True)
    response_body = sa.Column(sa.Text().with_variant(
        mysql.MEDIUMTEXT(), 'mysql', 'mariadb'), nullable=True)
    expires_at = sa.Column(utc_datetime(), nullable=False)


class Trigger(TimestampMixin, Base):
    """When scheduled operations run: a time pattern and its window."""

    __tablename__ = 'triggers'
    __table_args__ = (
        sa.Index('ix_triggers_project_created', 'project_id', 'created_at',
                 'id'),
        sa.Index('ix_triggers_project_name', 'project_id', 'name'),
        sa.Index('ix_triggers_created_at_id', 'created_at', 'id'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    name = sa.Column(sa.String(255), nullable=False)
    type = sa.Column(sa.String(32), nullable=False)
    # format, pattern, start_time, end_time, window: as the client sent
    # them, normalised (times ISO 8601 UTC, window an int).
    properties = sa.Column(JsonEncoded, nullable=False)


class ScheduledOperation(TimestampMixin, Base):
    """An operation that a trigger starts: protect, retention, copy.

    ``next_run_at`` is the next due time of an enabled operation; engines
    claim a run by moving it forward with a conditional update, so each due
    time is taken by exactly one engine.
    """

    __tablename__ = 'scheduled_operations'
    __table_args__ = (
        sa.Index('ix_scheduled_operations_project_created', 'project_id',
                 'created_at', 'id'),
        sa.Index('ix_scheduled_operations_project_name', 'project_id',
                 'name'),
        sa.Index('ix_scheduled_operations_created_at_id', 'created_at',
                 'id'),
        sa.Index('ix_scheduled_operations_trigger_id', 'trigger_id'),
        sa.Index('ix_scheduled_operations_plan_id', 'plan_id'),
        sa.Index('ix_scheduled_operations_enabled_next_run_at', 'enabled',
                 'next_run_at'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.String(255), nullable=True)
    operation_type = sa.Column(sa.String(32), nullable=False)
    trigger_id = sa.Column(sa.String(36), sa.ForeignKey('triggers.id'),
                           nullable=False)
    provider_id = sa.Column(sa.String(36), nullable=False)
    plan_id = sa.Column(sa.String(36), nullable=False)
    operation_definition = sa.Column(JsonEncoded, nullable=False)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    next_run_at = sa.Column(utc_datetime(), nullable=True)


class ScheduledRun(TimestampMixin, Base):
    """One due time of a scheduled operation, and what became of it.

    The unique (operation, due time) pair is what makes a due run fire at
    most once across engines. A run is ``claimed`` under a lease by the
    engine that took it; it becomes ``running`` in the same transaction
    that creates its checkpoint (or copy), so a run taken over after an
    engine died never starts twice.
    """

    __tablename__ = 'scheduled_runs'
    __table_args__ = (
        sa.UniqueConstraint('scheduled_operation_id', 'due_at'),
        sa.Index('ix_scheduled_runs_state_lease', 'state',
                 'lease_expires_at'),
        sa.Index('ix_scheduled_runs_project_created', 'project_id',
                 'created_at', 'id'),
        sa.Index('ix_scheduled_runs_checkpoint_id', 'checkpoint_id'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    scheduled_operation_id = sa.Column(
        sa.String(36), sa.ForeignKey('scheduled_operations.id',
                                     ondelete='CASCADE'), nullable=False)
    operation_type = sa.Column(sa.String(32), nullable=False)
    due_at = sa.Column(utc_datetime(), nullable=False)
    state = sa.Column(sa.String(16), nullable=False)
    owner = sa.Column(sa.String(255), nullable=True)
    lease_expires_at = sa.Column(utc_datetime(), nullable=True)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    checkpoint_id = sa.Column(sa.String(36), nullable=True)
    copy_id = sa.Column(sa.String(36), nullable=True)
    # Checkpoints that retention sent to the delete flow after this run.
    deleted_checkpoints = sa.Column(JsonEncoded, nullable=True)
    reason = sa.Column(sa.Text, nullable=True)
    started_at = sa.Column(utc_datetime(), nullable=True)
    finished_at = sa.Column(utc_datetime(), nullable=True)


class Quota(TimestampMixin, Base):
    """A project's own limit of one resource (overrides its class)."""

    __tablename__ = 'quotas'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'resource'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    resource = sa.Column(sa.String(64), nullable=False)
    # -1: unlimited.
    hard_limit = sa.Column(sa.Integer, nullable=False)


class QuotaClass(TimestampMixin, Base):
    """The limit of one resource for a quota class (``default``: every
    project without a limit of its own)."""

    __tablename__ = 'quota_classes'
    __table_args__ = (
        sa.UniqueConstraint('class_name', 'resource'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    class_name = sa.Column(sa.String(255), nullable=False)
    resource = sa.Column(sa.String(64), nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=False)


class QuotaUsage(TimestampMixin, Base):
    """A lock row per (project, resource), nothing more.

    Creates of a limited resource lock it (SELECT ... FOR UPDATE) before
    they count the live rows and insert, so two of them cannot both pass
    the limit. Usage itself is always counted, never stored: a counter
    could drift.
    """

    __tablename__ = 'quota_usages'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'resource'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    resource = sa.Column(sa.String(64), nullable=False)
