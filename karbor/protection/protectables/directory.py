"""Directories on this host as protectable resources.

The instances are the directories directly below the configured roots
(``[directory_protectable] roots``). An instance's id is derived from its
real path, so it stays the same across restarts and workers.
"""

import os
import uuid

from oslo_config import cfg

from karbor.common import constants
from karbor.common import exceptions
from karbor.protection import plugin_api

CONF = cfg.CONF

# Fixed namespace: ids must never change between releases.
_ID_NAMESPACE = uuid.UUID('5b0c4e8e-5d5d-4f57-9a32-6f2d1a4c2b10')


def directory_id(path):
    return str(uuid.uuid5(_ID_NAMESPACE, os.path.realpath(path)))


def configured_roots():
    return [os.path.realpath(root)
            for root in CONF.directory_protectable.roots]


def is_within_roots(path):
    real = os.path.realpath(path)
    return any(os.path.commonpath([real, root]) == root and real != root
               for root in configured_roots())


class DirectoryProtectable(plugin_api.ProtectablePlugin):
    resource_type = constants.RESOURCE_TYPE_DIRECTORY
    dependent_types = ()

    def _describe(self, root, path):
        return plugin_api.resource_dict(
            self.resource_type, directory_id(path),
            os.path.relpath(path, root),
            extra_info={'path': path, 'root': root})

    def list_instances(self, context, parameters=None):
        wanted_root = (parameters or {}).get('root')
        found = []
        for root in configured_roots():
            if wanted_root and os.path.realpath(wanted_root) != root:
                continue
            try:
                entries = sorted(os.scandir(root), key=lambda e: e.name)
            except FileNotFoundError:
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    found.append(self._describe(root, entry.path))
        return found

    def show_instance(self, context, resource_id, parameters=None):
        for instance in self.list_instances(context, parameters):
            if instance['id'] == resource_id:
                return instance
        raise exceptions.ProtectableInstanceNotFound(
            resource_id=resource_id, resource_type=self.resource_type)
