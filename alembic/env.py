"""Alembic environment for Karbor.

Karbor runs migrations through ``karbor-manage db sync`` (see
karbor/db/migration.py), which hands over an open connection.
"""

from alembic import context

from karbor.db import migration
from karbor.db import models

config = context.config
target_metadata = models.Base.metadata


def run_migrations_online():
    connection = config.attributes['connection']
    context.configure(connection=connection,
                      target_metadata=target_metadata,
                      version_table=migration.VERSION_TABLE,
                      render_as_batch=connection.dialect.name == 'sqlite',
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
