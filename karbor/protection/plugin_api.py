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
import collections

from karbor.protection import datapath
from karbor.protection import manifest_copy

PROTECTION_NAMESPACE = 'karbor.protections'
PROTECTABLE_NAMESPACE = 'karbor.protectables'
BANK_NAMESPACE = 'karbor.banks'

EMPTY_SCHEMA = {'type': 'object', 'properties': {},
                'additionalProperties': False}


Resource = collections.namedtuple('Resource',
                                  ('type', 'id', 'name', 'extra_info'))


class Operation:
    """What a plugin does for one resource within one flow.

    The engine calls the hooks in the order of the resource graph: a
    resource's ``on_prepare_begin`` before its dependencies are prepared,
    its ``on_prepare_finish`` after theirs, its ``on_main`` (in parallel
    with other resources' ``on_main``), and its ``on_complete`` after its
    dependencies completed. Every hook gets ``checkpoint`` (id, plan,
    resource graph), ``resource``, ``context``, ``parameters`` (the plan's
    or restore's options for this resource) and keyword arguments:
    ``bank_section`` (the resource's part of the bank),
    ``record_extra_info`` (a callable taking a dict of details to show in
    the operation log's extra_info), ``progress`` (a
    karbor.protection.datapath.Progress: count items and bytes to do and
    done, shown on the checkpoint or restore while it runs), and for
    restores ``restore`` (target and credentials).

    Hooks must be idempotent: after a worker dies, another one resumes the
    flow and runs again the hook that was interrupted.
    """

    def on_prepare_begin(self, checkpoint, resource, context, parameters,
                         **kwargs):
        pass

    def on_prepare_finish(self, checkpoint, resource, context, parameters,
                          **kwargs):
        pass

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        pass

    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        pass


HOOKS = ('on_prepare_begin', 'on_prepare_finish', 'on_main', 'on_complete')


class ManifestVerify(Operation):
    """Re-reads every object of the resource's manifest and checks its
    SHA-256: a verification every plugin gets for free."""

    def on_main(self, checkpoint, resource, context, parameters,
                bank_section, progress=None, **kwargs):
        datapath.verify_manifest(bank_section, progress)


class ManifestCopy(Operation):
    """Copies every object of the resource's manifest to the destination
    bank, checking SHA-256 on both ends and skipping what is already there:
    a copy every plugin gets for free."""

    def on_main(self, checkpoint, resource, context, parameters,
                source_section, destination_section, progress=None,
                record_extra_info=None, **kwargs):
        counts = manifest_copy.copy_manifest(source_section,
                                             destination_section, progress)
        if record_extra_info is not None and counts['skipped']:
            record_extra_info({'skipped_objects:%s' % resource.id:
                               counts['skipped']})


class ProtectionPlugin(abc.ABC):
    """Protects resources of the types it supports."""

    def __init__(self, config=None):
        # The provider's own configuration (its file), for plugin options.
        self._config = config

    @abc.abstractmethod
    def get_protect_operation(self, resource):
        """The Operation that protects ``resource``."""

    @abc.abstractmethod
    def get_restore_operation(self, resource):
        """The Operation that restores ``resource``."""

    @abc.abstractmethod
    def get_delete_operation(self, resource):
        """The Operation that deletes ``resource``'s protected data."""

    def get_verify_operation(self, resource):
        """The Operation that verifies ``resource``'s protected data."""
        return ManifestVerify()

    def get_copy_operation(self, resource):
        """The Operation that copies ``resource``'s data to another bank."""
        return ManifestCopy()

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

    @classmethod
    def get_copy_schema(cls, resource_type):
        """JSON schema of the copy parameters."""
        return EMPTY_SCHEMA


class ProtectablePlugin(abc.ABC):
    """Lists and shows the instances of one resource type."""

    #: The resource type this plugin serves.
    resource_type = None

    #: The types of the resources an instance of this type depends on: its
    #: children in the resource graph (shown as ``dependent_types``).
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
