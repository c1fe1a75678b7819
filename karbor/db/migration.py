"""Schema migrations: alembic revisions in the top-level alembic/ folder."""

import os
import sys

import alembic.command
import alembic.config
import alembic.migration
import alembic.script

from karbor.db import session as db_session

# Taskflow's flow persistence lives in the same database and keeps its own
# alembic history in the default "alembic_version" table.
VERSION_TABLE = 'karbor_alembic_version'
# Tables in Karbor's database that Karbor's models do not describe.
FOREIGN_TABLES = frozenset(('alembic_version', 'logbooks', 'flowdetails',
                            'atomdetails'))


def migrations_dir():
    """The alembic folder of a source tree, or of an installed Karbor."""
    candidates = [
        os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), 'alembic'),
        os.path.join(sys.prefix, 'share', 'karbor', 'alembic'),
    ]
    for path in candidates:
        if os.path.isfile(os.path.join(path, 'env.py')):
            return path
    raise RuntimeError('Cannot find the alembic migrations; looked in %s'
                       % ', '.join(candidates))


def _config(connection=None):
    config = alembic.config.Config()
    config.set_main_option('script_location', migrations_dir())
    if connection is not None:
        config.attributes['connection'] = connection
    return config


def db_sync(revision='head', engine=None):
    """Upgrade the database to ``revision`` (default: the newest).

    Taskflow's persistence tables (flow progress) are created alongside.
    """
    from karbor.protection import persistence
    engine = engine or db_session.get_engine()
    with engine.begin() as connection:
        alembic.command.upgrade(_config(connection), revision)
    persistence.upgrade(engine.url.render_as_string(hide_password=False))


def db_version(engine=None):
    """The revision the database is at, or None before the first sync."""
    engine = engine or db_session.get_engine()
    with engine.connect() as connection:
        return alembic.migration.MigrationContext.configure(
            connection, opts={'version_table': VERSION_TABLE}
        ).get_current_revision()


def head_revision():
    return alembic.script.ScriptDirectory.from_config(
        _config()).get_current_head()


def revisions():
    """Every revision from the first to the newest, in order."""
    script = alembic.script.ScriptDirectory.from_config(_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]
