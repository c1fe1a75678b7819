"""Checkpoints, restores and the engine's operations.

Revision ID: 0002_checkpoints_operations
Revises: 0001_services_plans
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from karbor.db.types import JsonEncoded
from karbor.db.types import utc_datetime

revision = '0002_checkpoints_operations'
down_revision = '0001_services_plans'
branch_labels = None
depends_on = None

TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def _timestamps():
    return [sa.Column('created_at', utc_datetime(), nullable=False),
            sa.Column('updated_at', utc_datetime(), nullable=False)]


def upgrade():
    op.create_table(
        'checkpoints',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('plan_id', sa.String(36), nullable=False),
        sa.Column('plan', JsonEncoded, nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('resource_graph', JsonEncoded, nullable=True),
        sa.Column('extra_info', JsonEncoded, nullable=True),
        sa.Column('error_info', sa.Text, nullable=True),
        sa.Column('finished_at', utc_datetime(), nullable=True),
        sa.Column('deleted_at', utc_datetime(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_checkpoints'),
        **TABLE_ARGS)
    op.create_index('ix_checkpoints_project_provider_created', 'checkpoints',
                    ['project_id', 'provider_id', 'created_at', 'id'])
    op.create_index('ix_checkpoints_provider_created', 'checkpoints',
                    ['provider_id', 'created_at', 'id'])
    op.create_index('ix_checkpoints_plan_id_status', 'checkpoints',
                    ['plan_id', 'status'])
    op.create_index('ix_checkpoints_project_status', 'checkpoints',
                    ['project_id', 'status'])

    op.create_table(
        'restores',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('checkpoint_id', sa.String(36), nullable=False),
        sa.Column('restore_target', sa.String(255), nullable=True),
        sa.Column('restore_auth', JsonEncoded, nullable=True),
        sa.Column('parameters', JsonEncoded, nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('resources_status', JsonEncoded, nullable=False),
        sa.Column('resources_reason', JsonEncoded, nullable=False),
        sa.Column('error_info', sa.Text, nullable=True),
        sa.Column('finished_at', utc_datetime(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_restores'),
        **TABLE_ARGS)
    op.create_index('ix_restores_project_created', 'restores',
                    ['project_id', 'created_at', 'id'])
    op.create_index('ix_restores_checkpoint_id', 'restores',
                    ['checkpoint_id'])
    op.create_index('ix_restores_project_status', 'restores',
                    ['project_id', 'status'])

    op.create_table(
        'operations',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('operation_type', sa.String(32), nullable=False),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('plan_id', sa.String(36), nullable=True),
        sa.Column('checkpoint_id', sa.String(36), nullable=True),
        sa.Column('restore_id', sa.String(36), nullable=True),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('exclusive_key', sa.String(255), nullable=True),
        sa.Column('owner', sa.String(255), nullable=True),
        sa.Column('lease_expires_at', utc_datetime(), nullable=True),
        sa.Column('attempts', sa.Integer, nullable=False),
        sa.Column('logbook_id', sa.String(36), nullable=True),
        sa.Column('flow_id', sa.String(36), nullable=True),
        sa.Column('request_id', sa.String(255), nullable=True),
        sa.Column('error_info', sa.Text, nullable=True),
        sa.Column('finished_at', utc_datetime(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_operations'),
        sa.UniqueConstraint('exclusive_key',
                            name='uq_operations_exclusive_key'),
        **TABLE_ARGS)
    op.create_index('ix_operations_state_lease', 'operations',
                    ['state', 'lease_expires_at'])
    op.create_index('ix_operations_checkpoint_id', 'operations',
                    ['checkpoint_id'])
    op.create_index('ix_operations_plan_id_state', 'operations',
                    ['plan_id', 'state'])
