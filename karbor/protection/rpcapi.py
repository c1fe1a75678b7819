"""Client side of the protection service's RPC API.

API version history:

* 1.0 - Initial version: protectable types and instances, resource checks.
"""

from oslo_config import cfg
import oslo_messaging as messaging

from karbor import rpc
from karbor.common import exceptions

CONF = cfg.CONF

RPC_API_VERSION = '1.0'


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
