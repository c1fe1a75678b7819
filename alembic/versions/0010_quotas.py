"""Quotas: per-project limits, quota classes, and per-(project, resource)
lock rows.

Usage is not stored: it is counted from the live plans and checkpoints,
so it cannot drift. ``quota_usages`` only holds the rows that creates lock
before they count.

Revision ID: 0010_quotas
Revises: 0009_scheduling
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from karbor.db.types import utc_datetime

revision = '0010_quotas'
down_revision = '0009_scheduling'
branch_labels = None
depends_on = None

TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def _timestamps():
    return [sa.Column('created_at', utc_datetime(), nullable=False),
            sa.Column('updated_at', utc_datetime(), nullable=False)]


def upgrade():
    op.create_table(
        'quotas',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('resource', sa.String(64), nullable=False),
        sa.Column('hard_limit', sa.Integer, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_quotas'),
        sa.UniqueConstraint('project_id', 'resource',
                            name='uq_quotas_project_id_resource'),
        **TABLE_ARGS)
    op.create_table(
        'quota_classes',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('class_name', sa.String(255), nullable=False),
        sa.Column('resource', sa.String(64), nullable=False),
        sa.Column('hard_limit', sa.Integer, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_quota_classes'),
        sa.UniqueConstraint('class_name', 'resource',
                            name='uq_quota_classes_class_name_resource'),
        **TABLE_ARGS)
    op.create_table(
        'quota_usages',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('resource', sa.String(64), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id', name='pk_quota_usages'),
        sa.UniqueConstraint('project_id', 'resource',
                            name='uq_quota_usages_project_id_resource'),
        **TABLE_ARGS)
