"""Protects PostgreSQL databases with pg_dump (custom format: one
consistent snapshot) and restores them with pg_restore."""

from karbor.common import constants
from karbor.protection.plugins import database_dump
from karbor.protection.protectables import postgresql


class PostgreSQLProtectionPlugin(database_dump.DatabaseDumpPlugin):
    resource_type = constants.RESOURCE_TYPE_POSTGRESQL_DATABASE
    engine_title = 'PostgreSQL'
    protectable_class = postgresql.PostgreSQLProtectable
