"""Checkpoint copies: copy requests, (source, destination) pairs, and where
each checkpoint lives.

Revision ID: 0008_copies
Revises: 0007_verifications
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from karbor.db.types import JsonEncoded
from karbor.db.types import utc_datetime

revision = '0008_copies'
down_revision = '0007_verifications'
branch_labels = None
depends_on = None

TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    # Existing checkpoints are in the main bank (NULL) and copies of nothing.
    op.add_column('checkpoints', sa.Column('destination', sa.String(64),
                                           nullable=True))
    op.add_column('checkpoints', sa.Column('copied_from', sa.String(36),
                                           nullable=True))
    op.create_index('ix_checkpoints_copied_from', 'checkpoints',
                    ['copied_from'])
    op.create_index('ix_checkpoints_provider_destination', 'checkpoints',
                    ['provider_id', 'destination'])

    op.create_table(
        'copies',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('plan_id', sa.String(36), nullable=False),
        sa.Column('destination', sa.String(64), nullable=False),
        sa.Column('parameters', JsonEncoded, nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('error_info', sa.Text, nullable=True),
        sa.Column('finished_at', utc_datetime(), nullable=True),
        sa.Column('created_at', utc_datetime(), nullable=False),
        sa.Column('updated_at', utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_copies'),
        **TABLE_ARGS)
    # The default order and the status filter behind the project, as for
    # restores; the other filters each have theirs.
    op.create_index('ix_copies_project_created', 'copies',
                    ['project_id', 'created_at', 'id'])
    op.create_index('ix_copies_project_status', 'copies',
                    ['project_id', 'status'])
    op.create_index('ix_copies_plan_id', 'copies', ['plan_id'])
    op.create_index('ix_copies_provider_id', 'copies', ['provider_id'])
    op.create_index('ix_copies_destination', 'copies', ['destination'])

    op.create_table(
        'checkpoint_copies',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('copy_id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('source_checkpoint_id', sa.String(36), nullable=False),
        sa.Column('copy_checkpoint_id', sa.String(36), nullable=False),
        sa.Column('destination', sa.String(64), nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('error_info', sa.Text, nullable=True),
        sa.Column('created_at', utc_datetime(), nullable=False),
        sa.Column('updated_at', utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_checkpoint_copies'),
        # What makes copying a plan again copy nothing twice.
        sa.UniqueConstraint(
            'source_checkpoint_id', 'destination',
            name='uq_checkpoint_copies_source_checkpoint_id_destination'),
        **TABLE_ARGS)
    op.create_index('ix_checkpoint_copies_copy_id', 'checkpoint_copies',
                    ['copy_id'])
    op.create_index('ix_checkpoint_copies_copy_checkpoint_id',
                    'checkpoint_copies', ['copy_checkpoint_id'])

    op.add_column('operations', sa.Column('copy_id', sa.String(36),
                                          nullable=True))
    op.add_column('operation_logs', sa.Column('copy_id', sa.String(36),
                                              nullable=True))
    op.create_index('ix_operation_logs_copy_id', 'operation_logs',
                    ['copy_id'])
