"""Progress of running protects and restores.

Revision ID: 0006_progress
Revises: 0005_tasks
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0006_progress'
down_revision = '0005_tasks'
branch_labels = None
depends_on = None


def _json():
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql', 'mariadb')


def upgrade():
    # Items and bytes done/total, written by the worker while it runs.
    for table in ('checkpoints', 'restores'):
        op.add_column(table, sa.Column('progress', _json(), nullable=True))
