"""karbor-api: the REST API under granian, with N worker processes.

granian parses HTTP in native code and hands each request to the WSGI
application in one of ``[api] threads`` threads of each of ``[api]
workers`` processes; a worker that dies is replaced. Any other WSGI server
can serve ``karbor.wsgi.api:application`` instead.
"""

import sys

from granian import Granian
from granian import constants as granian_constants
from oslo_config import cfg
from oslo_log import log as logging

from karbor import service
from karbor.api import app
from karbor.common import config
from karbor.common import constants
from karbor.db import session as db_session
from karbor.protection import providers

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# granian's own messages (workers started, stopped, respawned) go through
# Karbor's logging instead of granian's own handler on stdout.
_LOGGING = {'loggers': {
    '_granian': {'level': 'INFO', 'handlers': [], 'propagate': True},
    'granian.access': {'level': 'INFO', 'handlers': [], 'propagate': True},
}}


def worker_application(_target=None):
    """Build the application inside a worker process."""
    # The worker is a fork of the main process: its own connection pool.
    db_session.reset()
    service.Heartbeat(constants.BINARY_API).start()
    return app.setup_app()


def server():
    return Granian(
        'karbor',   # a name only: worker_application builds the app
        address=CONF.api.host_ip,
        port=CONF.api.port,
        interface=granian_constants.Interfaces.WSGI,
        workers=CONF.api.workers,
        blocking_threads=CONF.api.threads,
        websockets=False,
        respawn_failed_workers=True,
        workers_kill_timeout=30,
        log_dictconfig=_LOGGING,
        process_name='karbor-api',
    )


def main():
    config.parse_args(sys.argv)
    # A broken provider file stops the start, not the first request.
    providers.registry()
    LOG.info('karbor-api listening on %s:%d with %d workers x %d threads',
             CONF.api.host_ip, CONF.api.port, CONF.api.workers,
             CONF.api.threads)
    server().serve(target_loader=worker_application)
