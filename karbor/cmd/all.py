"""karbor-all: the embedded default in one process.

API, protection worker and operation engine share the process and talk
over oslo.messaging's in-process transport; the database is a SQLite file
and the bank a directory, both in the state directory. Schema migrations
run at start.
"""

import os
import socketserver
import sys
import threading
from wsgiref import simple_server

from oslo_config import cfg
from oslo_log import log as logging

from karbor import service
from karbor.api import app
from karbor.cmd import protection as protection_cmd
from karbor.common import config
from karbor.common import constants
from karbor.common import memory
from karbor.db import migration
from karbor.operationengine import service as engine_service
from karbor.protection import manager

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn,
                           simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(simple_server.WSGIRequestHandler):

    def log_message(self, format, *args):
        LOG.debug('%s - %s', self.address_string(), format % args)


class EmbeddedAPI:

    def __init__(self, host, port):
        self.server = simple_server.make_server(
            host, port, app.setup_app(), server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       name='karbor-api', daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _prepare_state():
    config.ensure_state_path()
    for root in CONF.directory_protectable.roots:
        if not os.path.isdir(root):
            # Something to protect on a first start.
            example = os.path.join(root, 'example')
            os.makedirs(example, exist_ok=True)
            with open(os.path.join(example, 'hello.txt'), 'w') as note:
                note.write('Karbor protects this directory; restore it '
                           'elsewhere to see it come back.\n')


def main():
    config.parse_args(sys.argv, transport_url='fake://')
    memory.limit_malloc_arenas(CONF.protection.malloc_arena_max)
    _prepare_state()
    migration.db_sync()
    worker = service.RPCService(constants.BINARY_PROTECTION,
                                CONF.protection.topic,
                                manager.ProtectionManager())
    worker.start()
    engine = engine_service.OperationEngineService()
    engine.start()
    api = EmbeddedAPI(CONF.api.host_ip, CONF.api.port)
    api.start()
    LOG.info('Karbor is listening on http://%s:%d/ (state in %s)',
             CONF.api.host_ip, CONF.api.port, CONF.state_path)
    print('Karbor is listening on http://%s:%d/ (state in %s)'  # noqa: T201
          % (CONF.api.host_ip, CONF.api.port, CONF.state_path), flush=True)
    protection_cmd.run_until_signalled([api, engine, worker])
