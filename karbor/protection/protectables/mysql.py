"""MySQL/MariaDB databases of ``[mysql_protectable] servers``."""

from karbor.common import constants
from karbor.protection.plugins import mysql_client
from karbor.protection.protectables import database_servers


class MySQLProtectable(database_servers.DatabaseProtectable):
    resource_type = constants.RESOURCE_TYPE_MYSQL_DATABASE
    group = 'mysql_protectable'
    scheme = 'mysql'
    scheme_aliases = ('mariadb',)
    default_port = 3306
    client_class = mysql_client.MySQLClient
