"""The [database] group comes from oslo.db.

Karbor leaves ``connection`` unset by default and then uses a SQLite file in
``state_path`` (see :func:`connection_url`), so the embedded default needs no
configuration at all.
"""

import os

from oslo_config import cfg
from oslo_db import options as db_options


def register_opts(conf):
    db_options.set_defaults(conf)


def connection_url(conf=cfg.CONF):
    if conf.database.connection:
        return conf.database.connection
    return 'sqlite:///' + os.path.join(conf.state_path, 'karbor.sqlite')


def list_opts():
    return {'database': db_options.database_opts}


def set_defaults(conf=cfg.CONF):
    register_opts(conf)
