"""Tasks: mutating requests and their client-chosen tags.

Revision ID: 0005_tasks
Revises: 0004_checkpoint_extra_info
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from karbor.db.types import utc_datetime

revision = '0005_tasks'
down_revision = '0004_checkpoint_extra_info'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tasks',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('tag', sa.String(255), nullable=True),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('request_id', sa.String(255), nullable=True),
        sa.Column('action', sa.String(64), nullable=False),
        sa.Column('method', sa.String(8), nullable=False),
        sa.Column('path', sa.String(1024), nullable=False),
        sa.Column('fingerprint', sa.String(64), nullable=False),
        sa.Column('resource_type', sa.String(32), nullable=True),
        sa.Column('resource_id', sa.String(255), nullable=True),
        sa.Column('resource_path', sa.String(1024), nullable=True),
        sa.Column('operation_id', sa.String(36), nullable=True),
        sa.Column('response_status', sa.Integer, nullable=True),
        sa.Column('response_body', sa.Text().with_variant(
            mysql.MEDIUMTEXT(), 'mysql', 'mariadb'), nullable=True),
        sa.Column('expires_at', utc_datetime(), nullable=False),
        sa.Column('created_at', utc_datetime(), nullable=False),
        sa.Column('updated_at', utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_tasks'),
        sa.UniqueConstraint('project_id', 'tag',
                            name='uq_tasks_project_id_tag'),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('ix_tasks_project_created', 'tasks',
                    ['project_id', 'created_at', 'id'])
    op.create_index('ix_tasks_project_resource', 'tasks',
                    ['project_id', 'resource_type', 'resource_id'])
    op.create_index('ix_tasks_expires_at', 'tasks', ['expires_at'])
    op.create_index('ix_tasks_operation_id', 'tasks', ['operation_id'])
