"""The operation engine as a service: its record, heartbeat and thread."""

from oslo_config import cfg
from oslo_log import log as logging

from karbor import service
from karbor.common import constants
from karbor.operationengine import engine

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class OperationEngineService:
    """An engine with the ``karbor-operationengine`` service record.

    An administrator disabling the record (os-services) pauses this engine:
    the others take its share.
    """

    def __init__(self):
        self.engine = engine.OperationEngine(CONF.host)
        self.heartbeat = service.Heartbeat(
            constants.BINARY_OPERATION_ENGINE,
            on_disabled_change=self.engine.set_disabled)

    def start(self):
        self.heartbeat.start()
        self.engine.set_disabled(self.heartbeat.service.disabled)
        self.engine.start()
        LOG.info('%s started on %s as %s', constants.BINARY_OPERATION_ENGINE,
                 CONF.host, self.engine.owner)

    def stop(self):
        self.heartbeat.stop()
        self.engine.stop()
