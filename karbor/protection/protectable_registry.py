"""Every protectable plugin installed, by resource type (stevedore)."""

import threading

from stevedore import extension

from karbor.common import exceptions
from karbor.protection import plugin_api

_LOCK = threading.Lock()
_PLUGINS = None


def _load():
    manager = extension.ExtensionManager(
        plugin_api.PROTECTABLE_NAMESPACE, invoke_on_load=True,
        on_load_failure_callback=_raise_load_failure)
    return {ext.obj.resource_type: ext.obj for ext in manager}


def _raise_load_failure(manager, entrypoint, error):
    raise error


def plugins():
    global _PLUGINS
    if _PLUGINS is None:
        with _LOCK:
            if _PLUGINS is None:
                _PLUGINS = _load()
    return _PLUGINS


def reset():
    global _PLUGINS
    _PLUGINS = None


def resource_types():
    return sorted(plugins())


def get(resource_type):
    try:
        return plugins()[resource_type]
    except KeyError:
        raise exceptions.ProtectableTypeNotFound(
            protectable_type=resource_type) from None
