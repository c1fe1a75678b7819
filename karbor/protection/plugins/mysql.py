"""Protects MySQL/MariaDB databases with mariadb-dump (or mysqldump) in
one transaction (a consistent snapshot of InnoDB tables), with routines,
triggers and events, and restores them with the mariadb (mysql) client."""

from karbor.common import constants
from karbor.protection.plugins import database_dump
from karbor.protection.protectables import mysql


class MySQLProtectionPlugin(database_dump.DatabaseDumpPlugin):
    resource_type = constants.RESOURCE_TYPE_MYSQL_DATABASE
    engine_title = 'MySQL/MariaDB'
    protectable_class = mysql.MySQLProtectable
