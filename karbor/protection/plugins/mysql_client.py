"""A MySQL or MariaDB server, through its own client tools (mariadb and
mariadb-dump, or mysql and mysqldump).

The password goes to the tools in ``MYSQL_PWD``; option files are not read
(``--no-defaults``), so only the configured URL decides where they
connect. Names in SQL are hex literals or backquoted identifiers, which
no sql_mode changes the meaning of.
"""

import functools
import re

from karbor.common import exceptions
from karbor.protection.plugins import dump_tools

_CLIENTS = ('mariadb', 'mysql')
_DUMPERS = ('mariadb-dump', 'mysqldump')
_MARKER = re.compile(r'^[A-Za-z0-9:_.-]*$')


def _literal(text):
    return "CONVERT(0x%s USING utf8mb4)" % text.encode('utf-8').hex() \
        if text else "''"


def _safe_marker(marker):
    if not _MARKER.match(marker):
        raise ValueError('unsafe marker %r' % marker)
    return marker


def _identifier(name):
    return '`%s`' % name.replace('`', '``')


def _hex(text):
    return bytes.fromhex(text).decode('utf-8')


@functools.lru_cache(maxsize=16)
def _tool_version(path):
    return dump_tools.run([path, '--version'], dump_tools.client_env({}),
                          timeout=30).strip()


class MySQLClient:
    engine = 'mysql'
    dump_format = 'sql'

    def __init__(self, server, options):
        self.server = server
        self.options = options
        self._is_mariadb = None

    @property
    def secrets(self):
        return [self.server.password] if self.server.password else []

    def env(self):
        return dump_tools.client_env({'MYSQL_PWD': self.server.password})

    def tool(self, names):
        return dump_tools.find_tool(names, self.options.client_bin_dir)

    @property
    def dump_tool(self):
        return self.tool(_DUMPERS).rsplit('/', 1)[-1]

    @property
    def restore_tool(self):
        return self.tool(_CLIENTS).rsplit('/', 1)[-1]

    def tool_version(self, name):
        return _tool_version(self.tool((name,)))

    def _connection_args(self, path):
        # --no-defaults must come first; TCP even for "localhost".
        args = [path, '--no-defaults', '--protocol=TCP',
                '--host=%s' % self.server.host,
                '--port=%d' % self.server.port,
                '--default-character-set=utf8mb4']
        if self.server.user:
            args.append('--user=%s' % self.server.user)
        return args

    def _sql(self, sql):
        """Rows (lists of fields) of ``sql``'s results."""
        argv = self._connection_args(self.tool(_CLIENTS)) + [
            '--connect-timeout=%d' % self.options.connect_timeout,
            '--batch', '--skip-column-names', '--raw']
        out = dump_tools.run(argv, self.env(), stdin_text=sql,
                             timeout=self.options.connect_timeout + 60,
                             secrets=self.secrets)
        return [line.split('\t') for line in out.splitlines() if line]

    def _reachable(self, sql):
        """``_sql`` of a first contact: a failure is the server's."""
        try:
            return self._sql(sql)
        except dump_tools.ToolFailed as err:
            raise exceptions.DatabaseServerUnreachable(
                server=self.server.url, reason=err.first_line()) from err

    def list_databases(self):
        rows = self._reachable(
            'SELECT HEX(s.SCHEMA_NAME), '
            'COALESCE(SUM(t.DATA_LENGTH + t.INDEX_LENGTH), 0) '
            'FROM information_schema.SCHEMATA s '
            'LEFT JOIN information_schema.TABLES t '
            'ON t.TABLE_SCHEMA = s.SCHEMA_NAME '
            'GROUP BY s.SCHEMA_NAME ORDER BY s.SCHEMA_NAME;')
        return [(_hex(name), int(size) if size not in ('', 'NULL') else None)
                for name, size in rows]

    def is_mariadb(self):
        if self._is_mariadb is None:
            self._is_mariadb = 'mariadb' in self.server_version().lower()
        return self._is_mariadb

    def describe_database(self, name):
        """None if absent, else its restore marker (its comment, on
        MariaDB) and the options a copy of it is created with."""
        comment = 'HEX(SCHEMA_COMMENT)' if self.is_mariadb() else "''"
        rows = self._reachable(
            'SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME, %s '
            'FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s;'
            % (comment, _literal(name)))
        if not rows:
            return None
        charset, collation, marker = rows[0]
        return {'marker': _hex(marker),
                'options': {'charset': charset, 'collation': collation}}

    def server_version(self):
        return self._reachable('SELECT VERSION();')[0][0]

    def create_database(self, name, options, marker):
        sql = 'CREATE DATABASE %s' % _identifier(name)
        if options:
            sql += ' CHARACTER SET %s COLLATE %s' % (
                _identifier(options['charset']),
                _identifier(options['collation']))
        if self.is_mariadb():
            # MySQL has no database comments: no marker there. COMMENT
            # takes a plain literal only: the marker is of safe characters.
            sql += " COMMENT '%s'" % _safe_marker(marker)
        self._sql(sql + ';')

    def clear_marker(self, name):
        if self.is_mariadb():
            self._sql("ALTER DATABASE %s COMMENT '';" % _identifier(name))

    def drop_database(self, name):
        self._sql('DROP DATABASE IF EXISTS %s;' % _identifier(name))

    def dump_argv(self, name, compress=True):
        # compress is done by the plugin: the tool writes plain SQL.
        # Tablespaces are server-wide (and need the PROCESS privilege).
        return self._connection_args(self.tool(_DUMPERS)) + [
            '--single-transaction', '--routines', '--triggers', '--events',
            '--hex-blob', '--no-tablespaces', '--', name]

    def restore_argv(self, name):
        return self._connection_args(self.tool(_CLIENTS)) + [
            '--connect-timeout=%d' % self.options.connect_timeout,
            '--binary-mode', '--database=%s' % name]
