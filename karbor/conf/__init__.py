"""Configuration: every option group is declared in a module of this package.

Importing :mod:`karbor.conf` registers all of them on the global ``CONF``.
"""

from oslo_config import cfg

from karbor.conf import api
from karbor.conf import auth
from karbor.conf import database
from karbor.conf import databases
from karbor.conf import default
from karbor.conf import extra_info
from karbor.conf import operation_log
from karbor.conf import operationengine
from karbor.conf import protection
from karbor.conf import quota
from karbor.conf import service
from karbor.conf import task

CONF = cfg.CONF

default.register_opts(CONF)
api.register_opts(CONF)
auth.register_opts(CONF)
database.register_opts(CONF)
protection.register_opts(CONF)
databases.register_opts(CONF)
operation_log.register_opts(CONF)
operationengine.register_opts(CONF)
extra_info.register_opts(CONF)
task.register_opts(CONF)
quota.register_opts(CONF)
service.register_opts(CONF)
