"""Extra-info filters read a page in order from one index.

Each extra-info row carries its checkpoint's project, provider and
creation time, and the index on (key, value_sha256, project_id,
provider_id, created_at, checkpoint_id) gives the checkpoints of one
key=value of a project's provider newest first: a filtered page is a
range scan that stops after one page, whatever the number of matches.
These columns never change after the checkpoint is created.

Revision ID: 0011_extra_info_pages
Revises: 0010_quotas
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from karbor.db.types import utc_datetime

revision = '0011_extra_info_pages'
down_revision = '0010_quotas'
branch_labels = None
depends_on = None

_COPIED = (('project_id', sa.String(255)), ('provider_id', sa.String(36)),
           ('created_at', utc_datetime()))


def upgrade():
    with op.batch_alter_table('checkpoint_extra_info') as batch:
        for name, type_ in _COPIED:
            batch.add_column(sa.Column(name, type_, nullable=True))
    # The rows of checkpoints created before this revision.
    for name, _ in _COPIED:
        op.execute(
            'UPDATE checkpoint_extra_info SET %(c)s = (SELECT checkpoints.%(c)s '
            'FROM checkpoints WHERE checkpoints.id = '
            'checkpoint_extra_info.checkpoint_id)' % {'c': name})
    with op.batch_alter_table('checkpoint_extra_info') as batch:
        for name, type_ in _COPIED:
            batch.alter_column(name, existing_type=type_, nullable=False)
        batch.drop_index('ix_checkpoint_extra_info_key_hash')
        batch.create_index(
            'ix_checkpoint_extra_info_page', ['key', 'value_sha256',
                                              'project_id', 'provider_id',
                                              'created_at', 'checkpoint_id'])
