"""Operation logs.

Revision ID: 0003_operation_logs
Revises: 0002_checkpoints_operations
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from karbor.db.types import JsonEncoded
from karbor.db.types import utc_datetime

revision = '0003_operation_logs'
down_revision = '0002_checkpoints_operations'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_operation_logs_project_started': ['project_id', 'started_at', 'id'],
    'ix_operation_logs_project_type_started': ['project_id',
                                               'operation_type',
                                               'started_at', 'id'],
    'ix_operation_logs_project_status_started': ['project_id', 'status',
                                                 'started_at', 'id'],
    'ix_operation_logs_project_ended': ['project_id', 'ended_at'],
    'ix_operation_logs_provider_started': ['provider_id', 'started_at',
                                           'id'],
    'ix_operation_logs_started_id': ['started_at', 'id'],
    'ix_operation_logs_checkpoint_id': ['checkpoint_id'],
    'ix_operation_logs_plan_id': ['plan_id'],
    'ix_operation_logs_restore_id': ['restore_id'],
    'ix_operation_logs_scheduled_operation_id': ['scheduled_operation_id'],
    'ix_operation_logs_operation_id': ['operation_id'],
}


def upgrade():
    op.create_table(
        'operation_logs',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('request_id', sa.String(255), nullable=True),
        sa.Column('task_tag', sa.String(255), nullable=True),
        sa.Column('operation_id', sa.String(36), nullable=True),
        sa.Column('operation_type', sa.String(32), nullable=False),
        sa.Column('checkpoint_id', sa.String(36), nullable=True),
        sa.Column('plan_id', sa.String(36), nullable=True),
        sa.Column('provider_id', sa.String(36), nullable=True),
        sa.Column('restore_id', sa.String(36), nullable=True),
        sa.Column('scheduled_operation_id', sa.String(36), nullable=True),
        sa.Column('status', sa.String(64), nullable=False),
        sa.Column('started_at', utc_datetime(), nullable=False),
        sa.Column('ended_at', utc_datetime(), nullable=True),
        sa.Column('error_info', sa.Text, nullable=True),
        sa.Column('extra_info', JsonEncoded, nullable=True),
        sa.Column('deleted_at', utc_datetime(), nullable=True),
        sa.Column('created_at', utc_datetime(), nullable=False),
        sa.Column('updated_at', utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_operation_logs'),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    for name, columns in INDEXES.items():
        op.create_index(name, 'operation_logs', columns)
