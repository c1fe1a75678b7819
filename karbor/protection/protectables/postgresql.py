"""PostgreSQL databases of ``[postgresql_protectable] servers``."""

from karbor.common import constants
from karbor.protection.plugins import postgresql_client
from karbor.protection.protectables import database_servers


class PostgreSQLProtectable(database_servers.DatabaseProtectable):
    resource_type = constants.RESOURCE_TYPE_POSTGRESQL_DATABASE
    group = 'postgresql_protectable'
    scheme = 'postgresql'
    scheme_aliases = ('postgres',)
    default_port = 5432
    client_class = postgresql_client.PostgreSQLClient
