"""Client side of the protection service's RPC API.

API version history:

* 1.0 - Initial version: protectable types and instances, resource checks.
* 1.1 - run_operation: start (or resume) an accepted operation.
"""

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from karbor import rpc
from karbor.common import exceptions

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

RPC_API_VERSION = '1.1'


class ProtectionAPI:
    """What the API asks of protection workers.

    Questions (``call``) are only those a worker's plugins must answer and
    that are quick; long work is ``cast``.
    """

    def __init__(self):
        target = messaging.Target(topic=CONF.protection.topic,
                                  version=RPC_API_VERSION)
        self._client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.protection,
            timeout=CONF.protection.rpc_call_timeout)

    def _call(self, ctxt, method, version='1.0', **kwargs):
        cctxt = self._client.prepare(version=version)
        try:
            return cctxt.call(ctxt, method, **kwargs)
        except messaging.MessagingTimeout:
            raise exceptions.ProtectionWorkerUnavailable(
                timeout=CONF.protection.rpc_call_timeout) from None

    def list_protectable_types(self, ctxt):
        return self._call(ctxt, 'list_protectable_types')

    def show_protectable_type(self, ctxt, protectable_type):
        return self._call(ctxt, 'show_protectable_type',
                          protectable_type=protectable_type)

    def list_protectable_instances(self, ctxt, protectable_type,
                                   parameters=None):
        return self._call(ctxt, 'list_protectable_instances',
                          protectable_type=protectable_type,
                          parameters=parameters)

    def show_protectable_instance(self, ctxt, protectable_type,
                                  protectable_id, parameters=None):
        return self._call(ctxt, 'show_protectable_instance',
                          protectable_type=protectable_type,
                          protectable_id=protectable_id,
                          parameters=parameters)

    def run_operation(self, ctxt, operation_id):
        """Ask any worker to run an accepted operation (a cast).

        If the message is lost, or no worker is up, the operation stays
        pending and a worker's recovery scan takes it later.
        """
        cctxt = self._client.prepare(version='1.1')
        try:
            cctxt.cast(ctxt, 'run_operation', operation_id=operation_id)
        except Exception as err:  # the broker may be down: not fatal
            LOG.warning('Could not send operation %s to the workers (%s); '
                        'their recovery scan will take it', operation_id,
                        err)

    def check_resources(self, ctxt, resources):
        """Raise the first resource of ``resources`` that does not exist."""
        return self._call(ctxt, 'check_resources', resources=resources)


_API = None


def get_api():
    """The process-wide client (its transport is shared)."""
    global _API
    if _API is None:
        _API = ProtectionAPI()
    return _API


def reset():
    global _API
    _API = None
