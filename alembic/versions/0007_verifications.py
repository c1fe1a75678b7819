"""Verifications of checkpoints, and their operations and logs.

Revision ID: 0007_verifications
Revises: 0006_progress
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from karbor.db.types import JsonEncoded
from karbor.db.types import utc_datetime

revision = '0007_verifications'
down_revision = '0006_progress'
branch_labels = None
depends_on = None

TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    op.create_table(
        'verifications',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('checkpoint_id', sa.String(36), nullable=False),
        sa.Column('parameters', JsonEncoded, nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('resources_status', JsonEncoded, nullable=False),
        sa.Column('resources_reason', JsonEncoded, nullable=False),
        sa.Column('error_info', sa.Text, nullable=True),
        sa.Column('progress', JsonEncoded, nullable=True),
        sa.Column('finished_at', utc_datetime(), nullable=True),
        sa.Column('created_at', utc_datetime(), nullable=False),
        sa.Column('updated_at', utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_verifications'),
        **TABLE_ARGS)
    # The default order and the status filter behind the project, as for
    # restores; the checkpoint's verifications by checkpoint.
    op.create_index('ix_verifications_project_created', 'verifications',
                    ['project_id', 'created_at', 'id'])
    op.create_index('ix_verifications_checkpoint_id', 'verifications',
                    ['checkpoint_id'])
    op.create_index('ix_verifications_project_status', 'verifications',
                    ['project_id', 'status'])

    op.add_column('operations', sa.Column('verification_id', sa.String(36),
                                          nullable=True))
    # A verification's log is found by its id, like a restore's.
    op.add_column('operation_logs', sa.Column('verification_id',
                                              sa.String(36), nullable=True))
    op.create_index('ix_operation_logs_verification_id', 'operation_logs',
                    ['verification_id'])
