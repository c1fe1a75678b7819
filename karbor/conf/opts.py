"""Entry point for oslo-config-generator: every option Karbor declares."""

import collections

from oslo_config import cfg

from karbor import rpc
import karbor.conf  # noqa: F401  (registers everything)
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

# oslo.db's own namespace in the generator config lists its [database]
# options; ``database`` adds Karbor's.
_MODULES = (default, service, api, auth, database, protection, databases,
            operation_log, operationengine, extra_info, task, quota)


def list_opts():
    grouped = collections.defaultdict(list)
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            name = group.name if isinstance(group, cfg.OptGroup) else group
            grouped[name].extend(opts)
    return sorted(grouped.items())


def set_defaults():
    """Karbor's defaults of library options, for the sample config."""
    database.set_defaults()
    rpc.set_defaults()
