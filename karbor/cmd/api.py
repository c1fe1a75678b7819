"""karbor-api: the REST API under granian, with N worker processes.

granian parses HTTP in native code and hands each request to the WSGI
application in one of ``[api] threads`` threads of each of ``[api]
workers`` processes; a worker that dies is replaced. Any other WSGI server
can serve ``karbor.wsgi.api:application`` instead.
"""

import gc
import socket
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

# Allocations (minus deallocations) between two collections of the
# youngest generation; Python's default is 700.
GC_THRESHOLD = 20000

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
    application = app.setup_app()
    _tune_garbage_collection()
    return application


def _tune_garbage_collection():
    # The objects of the loaded application live as long as the worker:
    # frozen, the collector stops scanning them at every collection. A
    # request allocates a few thousand objects, nearly all freed by
    # reference counting; collecting less often saves CPU and the pauses
    # that lengthen the slowest answers.
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)


def refuse_if_port_taken(host, port):
    """Exit with a clear message if something listens on host:port.

    granian's workers bind with SO_REUSEPORT, so a second karbor-api on
    the same port would start and silently share the connections with
    the first (an old version during an upgrade, another configuration).
    A bind without that option fails if anyone listens there.
    """
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            LOG.error('karbor-api cannot listen on %s:%d: %s', host, port,
                      err.strerror)
            sys.exit('karbor-api: cannot listen on %s:%d: %s (is another '
                     'karbor-api running?)' % (host, port, err.strerror))


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
    # A broken provider file or a taken port stops the start, not the
    # first request.
    providers.registry()
    refuse_if_port_taken(CONF.api.host_ip, CONF.api.port)
    LOG.info('karbor-api listening on %s:%d with %d workers x %d threads',
             CONF.api.host_ip, CONF.api.port, CONF.api.workers,
             CONF.api.threads)
    server().serve(target_loader=worker_application)
