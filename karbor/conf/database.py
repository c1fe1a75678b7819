"""The [database] group comes from oslo.db.

Karbor leaves ``connection`` unset by default and then uses a SQLite file in
``state_path`` (see :func:`connection_url`), so the embedded default needs no
configuration at all.
"""

import os

from oslo_config import cfg
from oslo_db import options as db_options

karbor_database_opts = [
    cfg.IntOpt('idle_check_seconds', default=10, min=0,
               help='A pooled database connection idle for longer than '
                    'this is checked with a "SELECT 1" before it is used '
                    '(and replaced if the server dropped it); connections '
                    'in constant use are not checked. 0 checks every '
                    'connection every time it is taken from the pool.'),
]


def register_opts(conf):
    db_options.set_defaults(conf)
    conf.register_opts(karbor_database_opts, group='database')


def connection_url(conf=cfg.CONF):
    if conf.database.connection:
        return conf.database.connection
    return 'sqlite:///' + os.path.join(conf.state_path, 'karbor.sqlite')


def list_opts():
    """Karbor's own options of [database]; oslo.db lists the others."""
    return {'database': karbor_database_opts}


def set_defaults(conf=cfg.CONF):
    register_opts(conf)
