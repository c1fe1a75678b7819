"""Checkpoint extra-info, indexed for filtering.

Revision ID: 0004_checkpoint_extra_info
Revises: 0003_operation_logs
Create Date: 2026-11-22
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0004_checkpoint_extra_info'
down_revision = '0003_operation_logs'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'checkpoint_extra_info',
        sa.Column('checkpoint_id', sa.String(36), nullable=False),
        sa.Column('key', sa.String(255), nullable=False),
        sa.Column('value', sa.Text, nullable=False),
        sa.Column('value_sha256', sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint('checkpoint_id', 'key',
                                name='pk_checkpoint_extra_info'),
        sa.ForeignKeyConstraint(
            ['checkpoint_id'], ['checkpoints.id'],
            name='fk_checkpoint_extra_info_checkpoint_id_checkpoints',
            ondelete='CASCADE'),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('ix_checkpoint_extra_info_key_hash',
                    'checkpoint_extra_info',
                    ['key', 'value_sha256', 'checkpoint_id'])
    # Index the extra-info of checkpoints created before this revision.
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        'SELECT id, extra_info FROM checkpoints WHERE extra_info IS NOT NULL'
    )).all()
    import json
    values = []
    for checkpoint_id, extra_info in rows:
        for key, value in (json.loads(extra_info) or {}).items():
            if isinstance(value, str):
                values.append({
                    'checkpoint_id': checkpoint_id, 'key': key,
                    'value': value,
                    'value_sha256': hashlib.sha256(
                        value.encode('utf-8')).hexdigest()})
    if values:
        op.bulk_insert(table, values)
