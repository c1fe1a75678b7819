"""Interfaces of the plugins a provider is made of.

* A *protection plugin* knows how to protect, restore, delete, copy and
  verify resources of some types, and publishes JSON schemas for its
  options (plan parameters), restore parameters, saved info and
  verification parameters.
* A *protectable plugin* knows the instances of one resource type and the
  resources they depend on (which make the resource graph).
* A *bank plugin* stores a provider's checkpoints.

Plugins are found by stevedore in the namespaces below and named in the
provider files (``etc/karbor/providers.d/*.conf``).
"""

import abc

PROTECTION_NAMESPACE = 'karbor.protections'
PROTECTABLE_NAMESPACE = 'karbor.protectables'
BANK_NAMESPACE = 'karbor.banks'

EMPTY_SCHEMA = {'type': 'object', 'properties': {},
                'additionalProperties': False}


class ProtectionPlugin(abc.ABC):
    """Protects resources of the types it supports."""

    def __init__(self, config=None):
        # The provider's own configuration (its file), for plugin options.
        self._config = config

    @classmethod
    @abc.abstractmethod
    def get_supported_resources_types(cls):
        """The resource types (e.g. OS::Karbor::Directory) handled."""

    @classmethod
    def get_options_schema(cls, resource_type):
        """JSON schema of the plan parameters for ``resource_type``."""
        return EMPTY_SCHEMA

    @classmethod
    def get_restore_schema(cls, resource_type):
        """JSON schema of the restore parameters for ``resource_type``."""
        return EMPTY_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        """JSON schema of what the plugin records about a protection."""
        return EMPTY_SCHEMA

    @classmethod
    def get_verify_schema(cls, resource_type):
        """JSON schema of the verification parameters."""
        return EMPTY_SCHEMA


class ProtectablePlugin(abc.ABC):
    """Lists and shows the instances of one resource type."""

    #: The resource type this plugin serves.
    resource_type = None

    #: The types whose instances can depend on an instance of this type.
    dependent_types = ()

    @abc.abstractmethod
    def list_instances(self, context, parameters=None):
        """Every instance visible to ``context``, as Resource dicts."""

    @abc.abstractmethod
    def show_instance(self, context, resource_id, parameters=None):
        """One instance; raises ProtectableInstanceNotFound."""

    def get_dependent_resources(self, context, parent_resource):
        """Instances of this type that ``parent_resource`` depends on."""
        return []


def resource_dict(resource_type, resource_id, name, extra_info=None,
                  dependent_resources=()):
    """The wire form of a protectable instance."""
    return {'id': resource_id, 'type': resource_type, 'name': name,
            'extra_info': extra_info or {},
            'dependent_resources': list(dependent_resources)}
