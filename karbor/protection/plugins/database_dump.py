"""Protecting a database with its server's own dump tool.

What a resource holds in the bank::

    dump        the dump tool's output, streamed (never held in memory)
    info.json   server, database, tools and versions, how the dump was
                made, and the options its database is re-created with

Protect streams the dump into ``dump``; a failed tool fails the resource
with its first error line (its last lines go to the operator log) and
leaves no ``dump``. Restore creates the target database, streams ``dump``
through the manifest's SHA-256 check into the restore tool, and drops the
database it created if the check or the tool fails: a restore never ends
with a half-restored database reported restored.

A database the restore creates carries a marker (its comment) until it is
complete, so that a restore resumed by another worker recognises its own
leftover and starts it again instead of refusing an existing database.
"""

import json

from oslo_log import log as logging

from karbor.common import exceptions
from karbor.protection import datapath
from karbor.protection import plugin_api
from karbor.protection.plugins import dump_tools
from karbor.protection.protectables import database_servers

LOG = logging.getLogger(__name__)

DUMP = 'dump'
INFO = 'info.json'
FORMAT_VERSION = 1
_NAME_PATTERN = r'^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$'


def _error(user, operator=None):
    return exceptions.PluginError(user, operator or user)


def options_schema(title):
    return {
        'title': title,
        'type': 'object',
        'properties': {
            'compress': {'type': 'boolean', 'default': True,
                         'title': 'Compress the dump (default true)'},
        },
        'additionalProperties': False,
    }


def restore_schema(title):
    return {
        'title': title,
        'type': 'object',
        'properties': {
            'target_database': {
                'type': 'string', 'pattern': _NAME_PATTERN,
                'title': 'Database to restore into (default: the '
                         'original name); it is created'},
            'target_server': {
                'type': 'string', 'maxLength': 255,
                'title': 'URL (without password) of a configured server '
                         'to restore to (default: the original server)'},
            'replace': {
                'type': 'boolean', 'default': False,
                'title': 'Drop and re-create the target database if it '
                         'exists (default: refuse to restore onto it)'},
        },
        'additionalProperties': False,
    }


class _Operation(plugin_api.Operation):

    def __init__(self, plugin):
        self.plugin = plugin

    def _client(self, server):
        return self.plugin.protectable().client(server)

    def _tool_error(self, action, name, server, err):
        return _error('%s of database %s on server %s failed: %s'
                      % (action, name, server.url, err.first_line()),
                      '%s of database %s on server %s failed: %s'
                      % (action, name, server.url, err))

    def _tool_missing(self, err):
        return _error('the %s client tools are not installed on the '
                      'protection worker' % self.plugin.engine_title,
                      str(err))


class Protect(_Operation):

    def _locate(self, resource):
        try:
            return self.plugin.protectable().locate(resource)
        except exceptions.ProtectableInstanceNotFound:
            raise _error('the database of resource %s (%s) is not on any '
                         'configured server any more'
                         % (resource.id, resource.name)) from None

    def on_main(self, checkpoint, resource, context, parameters,
                bank_section, record_extra_info, progress, **kwargs):
        try:
            server, name = self._locate(resource)
            client = self._client(server)
            described = client.describe_database(name)
            if described is None:
                raise _error('database %s does not exist on server %s (it '
                             'was dropped since the plan was made?)'
                             % (name, server.url))
            info = {
                'format_version': FORMAT_VERSION,
                'engine': client.engine, 'server': server.url,
                'database': name,
                'server_version': client.server_version(),
                'tool': client.dump_tool,
                'tool_version': client.tool_version(client.dump_tool),
                'format': client.dump_format,
                'compression': None,
                'database_options': described['options'],
            }
            progress.add_total(items=1)
            stored = self._dump(client, name, parameters, info, bank_section,
                                progress)
        except exceptions.DatabaseServerUnreachable as err:
            raise _error(str(err)) from err
        except dump_tools.ToolNotFound as err:
            raise self._tool_missing(err) from err
        except dump_tools.ToolFailed as err:
            raise self._tool_error('protection', name, server, err) from err
        info['dump_bytes'] = stored.size
        info['dump_sha256'] = stored.sha256
        bank_section.put_object(INFO, json.dumps(info, sort_keys=True,
                                                 indent=1).encode('utf-8'))
        progress.advance(items=1)
        record_extra_info({'%s:%s' % (client.engine, resource.id): {
            'server': server.url, 'database': name,
            'dump_bytes': stored.size,
            'server_version': info['server_version'],
            'tool_version': info['tool_version']}})

    def _dump(self, client, name, parameters, info, bank_section, progress):
        compress = parameters.get('compress', True)
        chunks = dump_tools.stdout_chunks(
            client.dump_argv(name, compress), client.env(),
            secrets=client.secrets)
        if compress:
            if client.dump_format == 'sql':
                chunks = dump_tools.gzip_chunks(chunks)
                info['compression'] = 'gzip'
            else:
                info['compression'] = client.dump_tool
        try:
            return bank_section.put_object(
                DUMP, datapath.counted(chunks, progress))
        except dump_tools.ToolFailed as err:
            bank_section.delete_object(DUMP)  # an earlier attempt's
            raise self._tool_error(client.dump_tool, name, client.server,
                                   err) from err
        except BaseException:
            bank_section.delete_object(DUMP)
            raise


class Restore(_Operation):

    def _read_info(self, bank_section, manifest):
        entry = manifest['objects'].get(INFO)
        if entry is None:
            raise exceptions.BankObjectCorrupted(
                key=bank_section.prefix + INFO,
                reason='it is not in the manifest')
        return json.loads(b''.join(datapath.verified_chunks(
            bank_section, INFO, entry)))

    def _target_server(self, info, parameters, restore):
        protectable = self.plugin.protectable()
        wanted = parameters.get('target_server')
        target = (restore or {}).get('target')
        # A restore target of another kind (for other resources of the
        # checkpoint) is not ours to refuse.
        if target and protectable.owns_url(target):
            found = protectable.server(target)
            if found is None:
                raise _error('restore target %s is not a configured %s '
                             'server' % (database_servers.redact(target),
                                         self.plugin.engine_title))
            if wanted and protectable.server(wanted) != found:
                raise _error('target_server %s and the restore target %s '
                             'differ' % (database_servers.redact(wanted),
                                         found.url))
            return found
        if wanted:
            found = protectable.server(wanted)
            if found is None:
                raise _error('target_server %s is not a configured %s '
                             'server' % (database_servers.redact(wanted),
                                         self.plugin.engine_title))
            return found
        found = protectable.server(info['server'])
        if found is None:
            raise _error('the original server %s is not configured any '
                         'more; give a target_server' % info['server'])
        return found

    def on_main(self, checkpoint, resource, context, parameters,
                bank_section, progress, restore=None, **kwargs):
        manifest = datapath.read_manifest(bank_section)
        info = self._read_info(bank_section, manifest)
        entry = manifest['objects'].get(DUMP)
        if entry is None:
            raise exceptions.BankObjectCorrupted(
                key=bank_section.prefix + DUMP,
                reason='it is not in the manifest')
        server = self._target_server(info, parameters, restore)
        name = parameters.get('target_database') or info['database']
        client = self._client(server)
        progress.add_total(items=1, nbytes=entry['size'])
        try:
            self._prepare(client, checkpoint, name, parameters, bank_section,
                          entry, info, progress)
            self._restore(client, name, bank_section, entry, info, progress)
        except exceptions.DatabaseServerUnreachable as err:
            raise _error(str(err)) from err
        except dump_tools.ToolNotFound as err:
            raise self._tool_missing(err) from err
        progress.advance(items=1)

    def _prepare(self, client, checkpoint, name, parameters, bank_section,
                 entry, info, progress):
        """Create the target database (dropping the one in the way when
        asked to, or when it is this restore's own leftover)."""
        marker = 'karbor-restore:%s' % checkpoint.id
        existing = client.describe_database(name)
        if existing is not None and existing['marker'] != marker:
            if not parameters.get('replace', False):
                raise _error('database %s already exists on server %s: '
                             'restore with "replace": true to overwrite it, '
                             'or give another "target_database"'
                             % (name, client.server.url))
            # Never drop a database for a dump that cannot be restored.
            progress.add_total(nbytes=entry['size'])
            for _chunk in datapath.verified_chunks(
                    bank_section, DUMP, entry, progress=progress):
                pass
        try:
            if existing is not None:
                client.drop_database(name)
            client.create_database(name, info.get('database_options'),
                                   marker)
        except dump_tools.ToolFailed as err:
            raise self._tool_error('creating', name, client.server,
                                   err) from err

    def _restore(self, client, name, bank_section, entry, info, progress):
        chunks = datapath.verified_chunks(bank_section, DUMP, entry,
                                          progress=progress)
        if info.get('compression') == 'gzip':
            chunks = dump_tools.gunzip_chunks(chunks)
        try:
            dump_tools.feed_stdin(client.restore_argv(name), client.env(),
                                  chunks, secrets=client.secrets)
        except BaseException as err:
            self._drop_after_failure(client, name)
            if isinstance(err, dump_tools.ToolFailed):
                raise self._tool_error(client.restore_tool, name,
                                       client.server, err) from err
            if isinstance(err, exceptions.BankObjectCorrupted):
                raise _error('%s The partly restored database %s was '
                             'dropped.' % (err, name)) from err
            if isinstance(err, dump_tools.NotGzip):
                raise _error('%s%s is %s; the partly restored database %s '
                             'was dropped' % (bank_section.prefix, DUMP, err,
                                              name)) from err
            raise
        try:
            client.clear_marker(name)
        except dump_tools.ToolFailed as err:
            # Restored: only a resumed restore would mistake it for its own.
            LOG.warning('Restored database %s on %s keeps its restore '
                        'marker: %s', name, client.server.url, err)

    def _drop_after_failure(self, client, name):
        try:
            client.drop_database(name)
        except Exception as err:
            LOG.error('Could not drop the partly restored database %s on '
                      '%s: %s', name, client.server.url, err)


class Delete(_Operation):

    def on_main(self, checkpoint, resource, context, parameters,
                bank_section, **kwargs):
        for key in (DUMP, INFO):
            bank_section.delete_object(key)


class DatabaseDumpPlugin(plugin_api.ProtectionPlugin):
    """Subclasses set ``resource_type``, ``engine_title`` and
    ``protectable_class`` (a DatabaseProtectable)."""

    resource_type = None
    engine_title = None
    protectable_class = None

    @classmethod
    def protectable(cls):
        return cls.protectable_class()

    @classmethod
    def get_supported_resources_types(cls):
        return [cls.resource_type]

    @classmethod
    def get_options_schema(cls, resource_type):
        return options_schema('%s protection options' % cls.engine_title)

    @classmethod
    def get_restore_schema(cls, resource_type):
        return restore_schema('%s restore options' % cls.engine_title)

    def get_protect_operation(self, resource):
        return Protect(self)

    def get_restore_operation(self, resource):
        return Restore(self)

    def get_delete_operation(self, resource):
        return Delete(self)
