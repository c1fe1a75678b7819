"""A PostgreSQL server, through its own client tools (psql, pg_dump,
pg_restore).

Connection settings and the password go to the tools in libpq's
environment variables; database names are psql variables (``:'db'``,
``:"db"``) or quoted conninfo values, so no name is ever parsed as SQL or
as options.
"""

import functools

from karbor.common import exceptions
from karbor.protection.plugins import dump_tools

_FIELD_SEPARATOR = '\x1f'


def _conninfo(database):
    """A libpq connection string naming only ``database`` (the rest comes
    from the environment): a name holding ``=`` stays a name."""
    return "dbname='%s'" % database.replace('\\', '\\\\').replace("'", "\\'")


def _hex(text):
    return bytes.fromhex(text).decode('utf-8')


@functools.lru_cache(maxsize=16)
def _tool_version(path):
    return dump_tools.run([path, '--version'], dump_tools.client_env({}),
                          timeout=30).strip()


class PostgreSQLClient:
    engine = 'postgresql'
    dump_tool = 'pg_dump'
    restore_tool = 'pg_restore'
    dump_format = 'pg_dump-custom'

    def __init__(self, server, options):
        self.server = server
        self.options = options

    @property
    def secrets(self):
        return [self.server.password] if self.server.password else []

    def env(self):
        return dump_tools.client_env({
            'PGHOST': self.server.host, 'PGPORT': self.server.port,
            'PGUSER': self.server.user, 'PGPASSWORD': self.server.password,
            'PGCONNECT_TIMEOUT': self.options.connect_timeout,
            'PGAPPNAME': 'karbor', 'PGCLIENTENCODING': 'UTF8'})

    def tool(self, name):
        return dump_tools.find_tool([name], self.options.client_bin_dir)

    def tool_version(self, name):
        return _tool_version(self.tool(name))

    def _psql(self, sql, **variables):
        """Rows (lists of fields) of the last results of ``sql``."""
        argv = [self.tool('psql'), '-X', '-q', '-A', '-t', '--no-password',
                '-F', _FIELD_SEPARATOR, '-v', 'ON_ERROR_STOP=1']
        for name, value in variables.items():
            argv += ['-v', '%s=%s' % (name, value)]
        argv += ['-d', _conninfo(self.options.maintenance_database),
                 '-f', '-']
        out = dump_tools.run(argv, self.env(), stdin_text=sql,
                             timeout=self.options.connect_timeout + 60,
                             secrets=self.secrets)
        return [line.split(_FIELD_SEPARATOR) for line in out.splitlines()
                if line]

    def _reachable(self, sql, **variables):
        """``_psql`` of a first contact: a failure is the server's."""
        try:
            return self._psql(sql, **variables)
        except dump_tools.ToolFailed as err:
            raise exceptions.DatabaseServerUnreachable(
                server=self.server.url, reason=err.first_line()) from err

    def list_databases(self):
        rows = self._reachable(
            "SELECT encode(convert_to(datname, 'UTF8'), 'hex'), "
            "CASE WHEN has_database_privilege(oid, 'CONNECT') "
            "THEN pg_database_size(oid) END "
            "FROM pg_database WHERE datallowconn ORDER BY datname;")
        return [(_hex(name), int(size) if size else None)
                for name, size in rows]

    def describe_database(self, name):
        """None if absent, else its restore marker (its comment) and the
        options a copy of it is created with."""
        rows = self._reachable(
            "SELECT pg_encoding_to_char(encoding), datcollate, datctype, "
            "encode(convert_to(coalesce(shobj_description(oid, "
            "'pg_database'), ''), 'UTF8'), 'hex') "
            "FROM pg_database WHERE datname = :'db';", db=name)
        if not rows:
            return None
        encoding, collate, ctype, comment = rows[0]
        return {'marker': _hex(comment),
                'options': {'encoding': encoding, 'lc_collate': collate,
                            'lc_ctype': ctype}}

    def server_version(self):
        return self._reachable('SHOW server_version;')[0][0]

    def _version_num(self):
        return int(self._psql('SHOW server_version_num;')[0][0])

    def create_database(self, name, options, marker):
        # template0: the copy holds only what the dump restores.
        sql = 'CREATE DATABASE :"db" TEMPLATE template0'
        variables = {'db': name, 'marker': marker}
        if options:
            sql += (" ENCODING :'encoding' LC_COLLATE :'lc_collate' "
                    "LC_CTYPE :'lc_ctype'")
            variables.update(options)
        self._psql(sql + ';\nCOMMENT ON DATABASE :"db" IS :\'marker\';',
                   **variables)

    def clear_marker(self, name):
        self._psql('COMMENT ON DATABASE :"db" IS NULL;', db=name)

    def drop_database(self, name):
        if self._version_num() >= 130000:
            # FORCE ends the sessions still in it (a killed pg_restore's).
            self._psql('DROP DATABASE IF EXISTS :"db" WITH (FORCE);',
                       db=name)
            return
        self._psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE datname = :'db';\n"
                   'DROP DATABASE IF EXISTS :"db";', db=name)

    def dump_argv(self, name, compress=True):
        argv = [self.tool(self.dump_tool), '--format=custom',
                '--no-password']
        if not compress:
            argv.append('--compress=0')
        return argv + ['--dbname=' + _conninfo(name)]

    def restore_argv(self, name):
        return [self.tool(self.restore_tool), '--no-password',
                '--exit-on-error', '--dbname=' + _conninfo(name)]
