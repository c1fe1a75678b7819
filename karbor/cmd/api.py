"""karbor-api: the REST API under gunicorn, with N worker processes."""

import sys

from gunicorn.app import base as gunicorn_base
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


class APIServer(gunicorn_base.BaseApplication):
    """gunicorn with its settings taken from karbor.conf, not its CLI."""

    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return app.setup_app()


def _post_fork(server, worker):
    # Each worker needs its own connection pool.
    db_session.reset()


def _post_worker_init(worker):
    service.Heartbeat(constants.BINARY_API).start()


def main():
    config.parse_args(sys.argv)
    # A broken provider file stops the start, not the first request.
    providers.registry()
    options = {
        'bind': '%s:%d' % (CONF.api.host_ip, CONF.api.port),
        'workers': CONF.api.workers,
        'threads': CONF.api.threads,
        'worker_class': 'gthread',
        'keepalive': 30,
        'timeout': 120,
        'graceful_timeout': 30,
        'post_fork': _post_fork,
        'post_worker_init': _post_worker_init,
        'accesslog': None,
        'proc_name': 'karbor-api',
    }
    LOG.info('karbor-api listening on %s with %d workers', options['bind'],
             options['workers'])
    APIServer(options).run()
