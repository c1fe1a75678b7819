"""Providers: a bank plus protection plugins, defined by providers.d files.

A provider file looks like::

    [provider]
    name = Embedded no-op provider
    id = b766f37c-d011-4026-8228-28730d734a3f
    description = ...
    plugin = noop
    bank = filesystem

    [filesystem_bank]
    path = $state_path/bank

``plugin`` may be repeated. Each plugin and the bank read their own
sections of the same file. ``$state_path`` is Karbor's state directory.

A provider may also declare copy destinations: other banks (in another
availability zone or region) its checkpoints can be copied to, each with a
name the API uses::

    [provider]
    ...
    copy_destinations = dr-site

    [destination:dr-site]
    bank = s3
    description = Second region
    region = eu-west-2

    [destination:dr-site:s3_bank]
    bucket = karbor-dr
    ...
"""

import glob
import os
import re
import sys
import threading
import uuid

from oslo_config import cfg
from stevedore import driver

from karbor.common import exceptions
from karbor.protection import plugin_api

CONF = cfg.CONF

provider_opts = [
    cfg.StrOpt('id', required=True, help='The provider id (a UUID).'),
    cfg.StrOpt('name', required=True, help='The provider name.'),
    cfg.StrOpt('description', default='', help='What the provider is for.'),
    cfg.MultiStrOpt('plugin', default=[],
                    help='A protection plugin (repeat for several).'),
    cfg.StrOpt('bank', required=True, help='The bank plugin.'),
    cfg.BoolOpt('enabled', default=True,
                help='Disabled providers are not offered.'),
    cfg.ListOpt('copy_destinations', default=[],
                help='Names of the banks checkpoints can be copied to, each '
                     'defined in a [destination:<name>] section.'),
]

destination_opts = [
    cfg.StrOpt('bank', required=True,
               help='The bank plugin of the destination; its options go in '
                    '[destination:<name>:<bank section>], e.g. '
                    '[destination:dr:filesystem_bank].'),
    cfg.StrOpt('description', default='',
               help='What the destination is, for users.'),
    cfg.StrOpt('availability_zone', default='',
               help='Availability zone of the destination bank, shown to '
                    'users.'),
    cfg.StrOpt('region', default='',
               help='Region of the destination bank, shown to users.'),
]

_DESTINATION_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.\-]{0,62}$')


class Destination:
    """A bank of a provider that checkpoints are copied to."""

    def __init__(self, provider, name):
        group = 'destination:%s' % name
        if not _DESTINATION_NAME.match(name):
            raise exceptions.ProviderConfigError(
                path=provider.path, reason='copy destination name %r must be '
                'letters, digits, "-", "_" or "." (at most 63)' % name)
        provider.config.register_opts(destination_opts, group=group)
        try:
            section = provider.config[group]
            self.bank_name = section.bank
        except cfg.Error as err:
            raise exceptions.ProviderConfigError(
                path=provider.path, reason='copy destination %s: %s'
                % (name, err)) from err
        if not self.bank_name:
            raise exceptions.ProviderConfigError(
                path=provider.path, reason='copy destination %s: [%s] bank '
                'is required' % (name, group))
        self.name = name
        self.description = section.description
        self.availability_zone = section.availability_zone
        self.region = section.region
        self.bank_class = _load_class(plugin_api.BANK_NAMESPACE,
                                      self.bank_name, provider.path)
        self.bank_section = '%s:%s' % (group, self.bank_class.SECTION)

    def view(self):
        return {'name': self.name, 'description': self.description,
                'availability_zone': self.availability_zone,
                'region': self.region}


def _load_class(namespace, name, path):
    try:
        return driver.DriverManager(namespace, name,
                                    invoke_on_load=False).driver
    except Exception as err:
        raise exceptions.ProviderConfigError(
            path=path, reason='cannot load %s plugin %r: %s'
            % (namespace, name, err)) from err


class Provider:
    """One provider: its identity, its plugins and their schemas."""

    def __init__(self, path):
        self.path = path
        self.config = cfg.ConfigOpts()
        # Provider files may refer to Karbor's state directory.
        self.config.register_opt(cfg.StrOpt('state_path',
                                            default=CONF.state_path))
        self.config.register_opts(provider_opts, group='provider')
        try:
            self.config(args=[], default_config_files=[path],
                        use_env=False)
            section = self.config.provider
            self.id = section.id
            self.name = section.name
        except cfg.Error as err:
            raise exceptions.ProviderConfigError(
                path=path, reason=str(err)) from err
        try:
            uuid.UUID(self.id)
        except ValueError:
            raise exceptions.ProviderConfigError(
                path=path, reason='id %r is not a UUID' % self.id) from None
        self.description = section.description
        self.enabled = section.enabled
        self.bank_name = section.bank
        self.plugin_names = list(section.plugin)
        if not self.plugin_names:
            raise exceptions.ProviderConfigError(
                path=path, reason='no protection plugin')
        self.plugin_classes = [
            _load_class(plugin_api.PROTECTION_NAMESPACE, name, path)
            for name in self.plugin_names]
        self.bank_class = _load_class(plugin_api.BANK_NAMESPACE,
                                      self.bank_name, path)
        self.destinations = {}
        for name in section.copy_destinations:
            if name in self.destinations:
                raise exceptions.ProviderConfigError(
                    path=path, reason='copy destination %s is listed twice'
                    % name)
            self.destinations[name] = Destination(self, name)
        self._lock = threading.Lock()
        self._bank = None
        self._destination_banks = {}
        self._plugins = {}

    def bank(self):
        """The provider's bank (built on first use, then shared)."""
        with self._lock:
            if self._bank is None:
                try:
                    self._bank = self.bank_class(self.config)
                except cfg.Error as err:
                    raise exceptions.ProviderConfigError(
                        path=self.path, reason=str(err)) from err
            return self._bank

    def destination(self, name):
        """A copy destination; CopyDestinationNotFound if undeclared."""
        try:
            return self.destinations[name]
        except KeyError:
            raise exceptions.CopyDestinationNotFound(
                provider_id=self.id, destination=name,
                known=', '.join(self.destinations) or 'none') from None

    def copy_destination(self, name=None):
        """Where a copy goes: destination ``name``, or the first declared;
        NoCopyDestination if the provider declares none."""
        if not self.destinations:
            raise exceptions.NoCopyDestination(provider_id=self.id)
        return self.destination(name or next(iter(self.destinations)))

    def bank_of(self, destination=None):
        """The main bank, or the bank of copy destination ``destination``
        (built on first use, then shared)."""
        if not destination:
            return self.bank()
        target = self.destination(destination)
        with self._lock:
            if destination not in self._destination_banks:
                try:
                    self._destination_banks[destination] = \
                        target.bank_class(self.config, target.bank_section)
                except cfg.Error as err:
                    raise exceptions.ProviderConfigError(
                        path=self.path, reason='copy destination %s: %s'
                        % (destination, err)) from err
            return self._destination_banks[destination]

    def plugin_for(self, resource_type):
        """The protection plugin instance for ``resource_type``."""
        plugin_class = self.plugin_class_for(resource_type)
        with self._lock:
            if plugin_class not in self._plugins:
                self._plugins[plugin_class] = plugin_class(self.config)
            return self._plugins[plugin_class]

    def plugin_class_for(self, resource_type):
        """The protection plugin of ``resource_type`` (first one wins)."""
        for plugin_class in self.plugin_classes:
            if resource_type in plugin_class.get_supported_resources_types():
                return plugin_class
        raise exceptions.ResourceNotProtectable(
            provider_id=self.id, resource_type=resource_type)

    def supported_types(self):
        types = set()
        for plugin_class in self.plugin_classes:
            types.update(plugin_class.get_supported_resources_types())
        return sorted(types)

    def extended_info_schema(self):
        schemas = {'options_schema': {}, 'restore_schema': {},
                   'saved_info_schema': {}, 'verify_schema': {}}
        for resource_type in self.supported_types():
            plugin = self.plugin_class_for(resource_type)
            schemas['options_schema'][resource_type] = (
                plugin.get_options_schema(resource_type))
            schemas['restore_schema'][resource_type] = (
                plugin.get_restore_schema(resource_type))
            schemas['saved_info_schema'][resource_type] = (
                plugin.get_saved_info_schema(resource_type))
            schemas['verify_schema'][resource_type] = (
                plugin.get_verify_schema(resource_type))
        return schemas


def default_config_dirs():
    """The operator's /etc/karbor/providers.d, else the shipped one."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [
        '/etc/karbor/providers.d',
        os.path.join(here, '..', '..', 'etc', 'karbor', 'providers.d'),
        os.path.join(sys.prefix, 'share', 'karbor', 'etc', 'karbor',
                     'providers.d'),
    ]
    for path in candidates:
        if os.path.isdir(path):
            return [os.path.normpath(path)]
    return []


class ProviderRegistry:
    """Every enabled provider, loaded once from the provider files."""

    def __init__(self, config_dirs=None):
        dirs = config_dirs or CONF.protection.provider_config_dirs or \
            default_config_dirs()
        self._providers = {}
        for directory in dirs:
            for path in sorted(glob.glob(os.path.join(directory, '*.conf'))):
                provider = Provider(path)
                if not provider.enabled:
                    continue
                if provider.id in self._providers:
                    raise exceptions.ProviderConfigError(
                        path=path, reason='provider id %s is also defined '
                        'in %s' % (provider.id,
                                   self._providers[provider.id].path))
                self._providers[provider.id] = provider

    def list(self):
        return sorted(self._providers.values(), key=lambda p: p.id)

    def get(self, provider_id):
        try:
            return self._providers[provider_id]
        except KeyError:
            raise exceptions.ProviderNotFound(
                provider_id=provider_id) from None


_LOCK = threading.Lock()
_REGISTRY = None


def registry():
    global _REGISTRY
    if _REGISTRY is None:
        with _LOCK:
            if _REGISTRY is None:
                _REGISTRY = ProviderRegistry()
    return _REGISTRY


def reset():
    global _REGISTRY
    _REGISTRY = None
