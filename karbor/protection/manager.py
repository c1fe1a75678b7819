"""Server side of the protection service's RPC API (the worker)."""

from oslo_log import log as logging
import oslo_messaging as messaging

from karbor.common import exceptions
from karbor.protection import engine
from karbor.protection import protectable_registry
from karbor.protection import providers
from karbor.protection import rpcapi

LOG = logging.getLogger(__name__)


class ProtectionManager:
    target = messaging.Target(version=rpcapi.RPC_API_VERSION)

    def __init__(self):
        self.engine = engine.ProtectionEngine()

    def init_host(self):
        # Load the plugins now, so a broken installation fails at start and
        # not on the first request.
        types = protectable_registry.resource_types()
        LOG.info('Protectable types available: %s', ', '.join(types))
        loaded = providers.registry().list()
        LOG.info('Providers: %s', ', '.join(p.name for p in loaded))
        # Takes over what dead workers left, at once and then periodically.
        self.engine.start()

    def cleanup_host(self):
        self.engine.stop()

    def run_operation(self, ctxt, operation_id):
        self.engine.submit(operation_id)

    def list_protectable_types(self, ctxt):
        return protectable_registry.resource_types()

    def show_protectable_type(self, ctxt, protectable_type):
        plugin = protectable_registry.get(protectable_type)
        return {'name': plugin.resource_type,
                'dependent_types': list(plugin.dependent_types)}

    def list_protectable_instances(self, ctxt, protectable_type,
                                   parameters=None):
        plugin = protectable_registry.get(protectable_type)
        return plugin.list_instances(ctxt, parameters)

    def show_protectable_instance(self, ctxt, protectable_type,
                                  protectable_id, parameters=None):
        plugin = protectable_registry.get(protectable_type)
        return plugin.show_instance(ctxt, protectable_id, parameters)

    def check_resources(self, ctxt, resources):
        for resource in resources:
            try:
                plugin = protectable_registry.get(resource['type'])
                plugin.show_instance(ctxt, resource['id'])
            except exceptions.NotFound:
                raise exceptions.ResourceNotFoundInPlan(
                    resource_id=resource['id'],
                    resource_type=resource['type']) from None
        return True
