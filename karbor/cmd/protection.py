"""karbor-protection: a protection worker."""

import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from karbor import service
from karbor.common import config
from karbor.common import constants
from karbor.common import memory
from karbor.protection import manager

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def run_until_signalled(stoppables):
    stop = threading.Event()

    def _handler(signum, frame):
        LOG.info('Signal %d received, stopping', signum)
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    while not stop.wait(1):
        pass
    for item in stoppables:
        item.stop()


def main():
    config.parse_args(sys.argv)
    memory.limit_malloc_arenas(CONF.protection.malloc_arena_max)
    worker = service.RPCService(constants.BINARY_PROTECTION,
                                CONF.protection.topic,
                                manager.ProtectionManager())
    worker.start()
    run_until_signalled([worker])
