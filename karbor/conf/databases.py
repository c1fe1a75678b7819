"""Options of the database protectables: the servers whose databases can be
protected (``[postgresql_protectable]``, ``[mysql_protectable]``)."""

from oslo_config import cfg


def _opts(engine, example, excluded, tools):
    return [
        cfg.ListOpt('servers', default=[], secret=True,
                    help='URLs of the %s servers whose databases are '
                         'offered as protectable instances, e.g. %s. A '
                         'password (user:password@) is given to the client '
                         'tools through the environment, never on their '
                         'command line, and is never shown. Empty: no '
                         'instances.' % (engine, example)),
        cfg.ListOpt('exclude_databases', default=excluded,
                    help='Databases never offered (system databases).'),
        cfg.IntOpt('connect_timeout', default=5, min=1, max=300,
                   help='Seconds to wait for a connection to a server; '
                        'an unreachable server is reported after this.'),
        cfg.StrOpt('client_bin_dir', default='',
                   help='Directory of the client tools (%s), which must be '
                        'of the major version of the servers or newer. '
                        'Empty: found on the PATH.' % tools),
    ]


postgresql_group = cfg.OptGroup('postgresql_protectable',
                                title='PostgreSQL databases')
postgresql_opts = _opts(
    'PostgreSQL', 'postgresql://postgres@db.example.org:5432',
    ['template0', 'template1', 'postgres'], 'psql, pg_dump, pg_restore')
postgresql_opts.append(
    cfg.StrOpt('maintenance_database', default='postgres',
               help='Database the catalog queries and CREATE/DROP DATABASE '
                    'connect to.'))

mysql_group = cfg.OptGroup('mysql_protectable',
                           title='MySQL/MariaDB databases')
mysql_opts = _opts(
    'MySQL/MariaDB', 'mysql://root@db.example.org:3306',
    ['information_schema', 'mysql', 'performance_schema', 'sys'],
    'mariadb and mariadb-dump, or mysql and mysqldump')


def register_opts(conf):
    conf.register_group(postgresql_group)
    conf.register_opts(postgresql_opts, group=postgresql_group)
    conf.register_group(mysql_group)
    conf.register_opts(mysql_opts, group=mysql_group)


def list_opts():
    return {postgresql_group: postgresql_opts, mysql_group: mysql_opts}
