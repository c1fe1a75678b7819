"""A protection plugin that does nothing, for every resource type.

It lets a newcomer create plans and checkpoints at once, and lets the
benchmarks measure the control plane without any data path.
"""

from karbor.protection import plugin_api
from karbor.protection import protectable_registry


class NoopProtectionPlugin(plugin_api.ProtectionPlugin):

    @classmethod
    def get_supported_resources_types(cls):
        return protectable_registry.resource_types()

    @classmethod
    def get_options_schema(cls, resource_type):
        return {
            'title': 'No-op protection options',
            'type': 'object',
            'properties': {
                'note': {'type': 'string', 'maxLength': 255,
                         'title': 'A note kept with the plan'},
            },
            'additionalProperties': False,
        }
