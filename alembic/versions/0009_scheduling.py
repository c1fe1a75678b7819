"""Triggers, scheduled operations and their runs.

Revision ID: 0009_scheduling
Revises: 0008_copies
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from karbor.db.types import JsonEncoded
from karbor.db.types import utc_datetime

revision = '0009_scheduling'
down_revision = '0008_copies'
branch_labels = None
depends_on = None

TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def _timestamps():
    return [sa.Column('created_at', utc_datetime(), nullable=False),
            sa.Column('updated_at', utc_datetime(), nullable=False)]


def upgrade():
    op.create_table(
        'triggers',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('type', sa.String(32), nullable=False),
        sa.Column('properties', JsonEncoded, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_triggers'),
        **TABLE_ARGS)
    op.create_index('ix_triggers_project_created', 'triggers',
                    ['project_id', 'created_at', 'id'])
    op.create_index('ix_triggers_project_name', 'triggers',
                    ['project_id', 'name'])
    op.create_index('ix_triggers_created_at_id', 'triggers',
                    ['created_at', 'id'])

    op.create_table(
        'scheduled_operations',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255), nullable=True),
        sa.Column('operation_type', sa.String(32), nullable=False),
        sa.Column('trigger_id', sa.String(36), nullable=False),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('plan_id', sa.String(36), nullable=False),
        sa.Column('operation_definition', JsonEncoded, nullable=False),
        sa.Column('enabled', sa.Boolean, nullable=False),
        sa.Column('next_run_at', utc_datetime(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_scheduled_operations'),
        sa.ForeignKeyConstraint(
            ['trigger_id'], ['triggers.id'],
            name='fk_scheduled_operations_trigger_id_triggers'),
        **TABLE_ARGS)
    for name, columns in (
            ('ix_scheduled_operations_project_created',
             ['project_id', 'created_at', 'id']),
            ('ix_scheduled_operations_project_name', ['project_id', 'name']),
            ('ix_scheduled_operations_created_at_id', ['created_at', 'id']),
            ('ix_scheduled_operations_trigger_id', ['trigger_id']),
            ('ix_scheduled_operations_plan_id', ['plan_id']),
            ('ix_scheduled_operations_enabled_next_run_at',
             ['enabled', 'next_run_at'])):
        op.create_index(name, 'scheduled_operations', columns)

    op.create_table(
        'scheduled_runs',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('scheduled_operation_id', sa.String(36), nullable=False),
        sa.Column('operation_type', sa.String(32), nullable=False),
        sa.Column('due_at', utc_datetime(), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('owner', sa.String(255), nullable=True),
        sa.Column('lease_expires_at', utc_datetime(), nullable=True),
        sa.Column('attempts', sa.Integer, nullable=False),
        sa.Column('checkpoint_id', sa.String(36), nullable=True),
        sa.Column('copy_id', sa.String(36), nullable=True),
        sa.Column('deleted_checkpoints', JsonEncoded, nullable=True),
        sa.Column('reason', sa.Text, nullable=True),
        sa.Column('started_at', utc_datetime(), nullable=True),
        sa.Column('finished_at', utc_datetime(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_scheduled_runs'),
        sa.ForeignKeyConstraint(
            ['scheduled_operation_id'], ['scheduled_operations.id'],
            name='fk_scheduled_runs_scheduled_operation_id_'
                 'scheduled_operations', ondelete='CASCADE'),
        sa.UniqueConstraint('scheduled_operation_id', 'due_at',
                            name='uq_scheduled_runs_scheduled_operation_id_'
                                 'due_at'),
        **TABLE_ARGS)
    op.create_index('ix_scheduled_runs_state_lease', 'scheduled_runs',
                    ['state', 'lease_expires_at'])
    op.create_index('ix_scheduled_runs_project_created', 'scheduled_runs',
                    ['project_id', 'created_at', 'id'])
    op.create_index('ix_scheduled_runs_checkpoint_id', 'scheduled_runs',
                    ['checkpoint_id'])


def downgrade():
    op.drop_table('scheduled_runs')
    op.drop_table('scheduled_operations')
    op.drop_table('triggers')
