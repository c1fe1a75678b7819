"""Databases of configured servers as protectable resources.

Shared by the PostgreSQL and MySQL/MariaDB protectables. The servers are
URLs in ``[<engine>_protectable] servers``; an instance is one database of
one of them, found in the server's own catalog. Its id is the uuid5 of the
server's URL without password and the database's name, so it is the same
on every worker and across restarts (and changes if the server is given
another address).

An unreachable server does not hide the others: listing returns the
databases of the servers that answered and logs the others; showing (or
planning) a database that is on none of the servers that answered, while a
server did not answer, is a ``409 database_server_unreachable`` naming that
server, since whether it exists cannot be told.
"""

import dataclasses
import re
import urllib.parse
import uuid

from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import exceptions
from karbor.protection import datapath
from karbor.protection import plugin_api
from karbor.protection.plugins import dump_tools

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# Fixed namespace: ids must never change between releases.
_ID_NAMESPACE = uuid.UUID('0f5b8a3c-4d0e-5c1b-9e7a-2c6d8f1a3b47')
_PASSWORD_IN_URL = re.compile(r'(//[^/@:]*):[^/@]*@')


@dataclasses.dataclass(frozen=True)
class Server:
    """A configured server. ``url`` is its public form (no password)."""

    url: str
    host: str
    port: int
    user: str | None
    password: str | None = dataclasses.field(default=None, repr=False,
                                             compare=False)

    def __str__(self):
        return self.url


def redact(url):
    """``url`` with any password masked, for messages."""
    return _PASSWORD_IN_URL.sub(r'\1:***@', url)


def parse_server(text, scheme, aliases=(), default_port=None):
    """A Server from ``scheme://[user[:password]@]host[:port]``; ValueError
    (without the password in its message) when it is not one."""
    try:
        parts = urllib.parse.urlsplit(text.strip())
        port = parts.port or default_port
    except ValueError:
        raise ValueError('%r is not a URL' % redact(text)) from None
    if parts.scheme.lower() not in (scheme,) + tuple(aliases):
        raise ValueError('%r is not a %s:// URL' % (redact(text), scheme))
    if not parts.hostname or parts.path not in ('', '/') or parts.query \
            or parts.fragment:
        raise ValueError('%r must be %s://[user[:password]@]host[:port]'
                         % (redact(text), scheme))
    user = urllib.parse.unquote(parts.username) if parts.username else None
    password = (urllib.parse.unquote(parts.password)
                if parts.password is not None else None)
    host = parts.hostname.lower()
    shown_host = '[%s]' % host if ':' in host else host
    userinfo = urllib.parse.quote(user, safe='') + '@' if user else ''
    # One spelling per server (scheme, case, explicit port): ids follow it.
    url = '%s://%s%s:%d' % (scheme, userinfo, shown_host, port)
    return Server(url=url, host=host, port=port, user=user,
                  password=password)


def database_id(server_url, name):
    return str(uuid.uuid5(_ID_NAMESPACE, '%s/%s' % (server_url, name)))


class DatabaseProtectable(plugin_api.ProtectablePlugin):
    """The databases of the servers of one engine.

    Subclasses set ``resource_type``, ``group`` (the option group),
    ``scheme``, ``scheme_aliases``, ``default_port`` and ``client_class``
    (built as ``client_class(server, options)``, with ``list_databases()``
    returning ``(name, size or None)`` pairs or raising
    DatabaseServerUnreachable).
    """

    dependent_types = ()
    group = None
    scheme = None
    scheme_aliases = ()
    default_port = None
    client_class = None

    @property
    def options(self):
        return CONF[self.group]

    def servers(self):
        found = []
        for text in self.options.servers:
            try:
                server = parse_server(text, self.scheme, self.scheme_aliases,
                                      self.default_port)
            except ValueError as err:
                raise exceptions.DatabaseServerConfigError(
                    group=self.group, reason=str(err)) from None
            if server not in found:
                found.append(server)
        return found

    def server(self, url):
        """The configured server of ``url`` (any spelling), or None."""
        try:
            wanted = parse_server(url, self.scheme, self.scheme_aliases,
                                  self.default_port)
        except ValueError:
            return None
        return next((s for s in self.servers() if s == wanted), None)

    def owns_url(self, url):
        """Whether ``url`` is of this engine's scheme."""
        scheme = urllib.parse.urlsplit(url.strip()).scheme.lower()
        return scheme in (self.scheme,) + tuple(self.scheme_aliases)

    def client(self, server):
        return self.client_class(server, self.options)

    def describe(self, server, name, size=None):
        extra_info = {'server': server.url, 'database': name}
        if size is not None:
            extra_info['size'] = size
        return plugin_api.resource_dict(
            self.resource_type, database_id(server.url, name), name,
            extra_info=extra_info)

    def _server_instances(self, server):
        """(instances, None) or (None, DatabaseServerUnreachable)."""
        try:
            databases = self.client(server).list_databases()
        except exceptions.DatabaseServerUnreachable as err:
            return None, err
        except dump_tools.ToolNotFound as err:
            # The worker's installation, not the server, is at fault.
            raise exceptions.PluginError(
                'the client tools of %s are not installed on the protection '
                'worker' % self.resource_type, str(err)) from None
        excluded = set(self.options.exclude_databases)
        return [self.describe(server, name, size)
                for name, size in databases if name not in excluded], None

    def _scan(self, parameters=None):
        """(instances of the servers that answered, their failures)."""
        servers = self.servers()
        if (parameters or {}).get('server'):
            wanted = self.server(parameters['server'])
            servers = [s for s in servers if s == wanted]
        instances, failures = [], []
        for found, failure in datapath.run_parallel(self._server_instances,
                                                    servers):
            if failure is not None:
                failures.append(failure)
            else:
                instances.extend(found)
        return instances, failures

    def list_instances(self, context, parameters=None):
        instances, failures = self._scan(parameters)
        for failure in failures:
            LOG.warning('Listing %s instances without the databases of '
                        'server %s: %s', self.resource_type,
                        failure.kwargs['server'], failure.kwargs['reason'])
        return instances

    def show_instance(self, context, resource_id, parameters=None):
        instances, failures = self._scan(parameters)
        for instance in instances:
            if instance['id'] == resource_id:
                return instance
        if failures:
            raise failures[0]
        raise exceptions.ProtectableInstanceNotFound(
            resource_id=resource_id, resource_type=self.resource_type)

    def locate(self, resource):
        """(server, database name) of a resource of a plan.

        Without a network round trip when the resource's name (or
        extra_info) holds its database name, which the id then proves;
        else by asking the servers.
        """
        names = [resource.name]
        if isinstance(resource.extra_info, dict):
            names.append(resource.extra_info.get('database'))
        for server in self.servers():
            for name in names:
                if isinstance(name, str) and \
                        database_id(server.url, name) == resource.id:
                    return server, name
        instance = self.show_instance(None, resource.id)
        return (self.server(instance['extra_info']['server']),
                instance['extra_info']['database'])
