"""karbor-cli: the standalone command line of Karbor.

Named karbor-cli, not karbor, so it can be installed next to the published
python-karborclient. The commands are the ones the OpenStack client plugin
registers (karbor.client.commands.COMMANDS).

Authentication: without a Keystone auth URL the CLI talks to the server
directly with a token (``--os-endpoint``/``KARBOR_ENDPOINT``,
``--os-token``/``OS_TOKEN``, ``--os-project-id``/``OS_PROJECT_ID``; this is
keystoneauth's ``admin_token`` plugin). With ``--os-auth-url``/
``OS_AUTH_URL`` (or any ``--os-auth-type``) it authenticates with Keystone
through keystoneauth's plugin options.
"""

import argparse
import importlib.metadata
import logging
import os
import sys

from cliff import app
from cliff import commandmanager
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading

from karbor.client import client as sdk_client
from karbor.client import commands
from karbor.client import exceptions
from karbor.client import http

CLI_NAME = 'karbor-cli'
DIRECT_AUTH_TYPES = ('admin_token', 'none')


def default_auth_type(argv, environ):
    """Keystone password auth when an auth URL is given, else a token."""
    pre_parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    pre_parser.add_argument('--os-auth-url',
                            default=environ.get('OS_AUTH_URL'))
    known, _unknown = pre_parser.parse_known_args(argv)
    return 'password' if known.os_auth_url else 'admin_token'


def _add_once(parser, *flags, **kwargs):
    # The chosen keystoneauth plugin may already define the option (e.g.
    # --os-project-id for password, --os-endpoint for admin_token); then its
    # definition, with the same dest, is the one to keep.
    try:
        parser.add_argument(*flags, **kwargs)
    except argparse.ArgumentError:
        pass


def register_global_options(parser, argv, environ):
    ks_loading.register_auth_argparse_arguments(
        parser, argv, default=default_auth_type(argv, environ))
    ks_loading.register_session_argparse_arguments(parser)
    group = parser.add_argument_group('Karbor options')
    _add_once(group, '--os-endpoint', metavar='<url>',
              help='Karbor API endpoint: the server root (e.g. '
                   'http://127.0.0.1:8799) or .../v1/<project_id> '
                   '(env KARBOR_ENDPOINT).')
    _add_once(group, '--os-token', metavar='<token>',
              help='Token for the Karbor API (env OS_TOKEN).')
    _add_once(group, '--os-project-id', metavar='<project-id>',
              default=environ.get('OS_PROJECT_ID'),
              help='Project id (env OS_PROJECT_ID); a "user:project" '
                   'noauth token names its own project instead.')
    # KARBOR_ENDPOINT wins over the plugin's OS_ENDPOINT default.
    parser.set_defaults(
        os_endpoint=(environ.get('KARBOR_ENDPOINT')
                     or environ.get('OS_ENDPOINT')),
        os_token=environ.get('OS_TOKEN'))
    group.add_argument('--os-region-name', metavar='<region>',
                       default=environ.get('OS_REGION_NAME'),
                       help='Region of the catalog endpoint.')
    group.add_argument('--os-interface', metavar='<interface>',
                       default=environ.get('OS_INTERFACE', 'public'),
                       help='Catalog interface (default public).')
    group.add_argument('--retries', type=int, metavar='<n>',
                       default=http.DEFAULT_RETRIES,
                       help='Retries after a connection failure (never '
                            'after an HTTP answer); default %(default)s.')
    group.add_argument('--task-tag', metavar='<tag>',
                       help='Task-Tag of the mutating request of this '
                            'command, instead of a new UUID (to retry a '
                            'request whose answer was lost).')
    group.add_argument('--os-data-protection-api-version',
                       metavar='<version>',
                       default=environ.get('OS_DATA_PROTECTION_API_VERSION',
                                           '1.0'),
                       help='API microversion (default %(default)s).')


def project_from_noauth_token(token):
    """'user:project' (the server's noauth token format) -> 'project'."""
    if token and ':' in token:
        return token.split(':', 1)[1] or None
    return None


class OneShotTaskTag:
    """Task-tag factory for --task-tag: the given tag, for one call only.

    A second mutating call in the same command would otherwise reuse the
    tag, and the server would take it for a retry of the first one.
    """

    def __init__(self, tag):
        self.tag = tag
        self.used = False

    def __call__(self):
        if self.used:
            raise exceptions.CommandError(
                '--task-tag can only name one request, and this command '
                'sends several')
        self.used = True
        return self.tag


def build_client(options):
    """The SDK client described by the parsed global options."""
    auth_type = options.os_auth_type
    direct = auth_type in DIRECT_AUTH_TYPES
    if direct and not options.os_endpoint:
        raise exceptions.ConfigurationError(
            'No endpoint: give --os-endpoint or set KARBOR_ENDPOINT')
    # A missing token is not refused here: the request goes without one and
    # the server's 401 says what it expects (which depends on its auth).
    try:
        auth = None
        if auth_type != 'admin_token' or options.os_token:
            # (admin_token without a token would refuse to send anything.)
            auth = ks_loading.load_auth_from_argparse_arguments(options)
        session = ks_loading.load_session_from_argparse_arguments(
            options, auth=auth)
    except ks_exc.ClientException as exc:
        raise http.from_keystoneauth(exc) from exc
    project_id = None
    if direct:
        # A "user:project" token names its project, and the server refuses
        # any other in the URL; so it wins over a stale OS_PROJECT_ID.
        project_id = (project_from_noauth_token(options.os_token)
                      or options.os_project_id)
    factory = (OneShotTaskTag(options.task_tag) if options.task_tag
               else http.new_task_tag)
    return sdk_client.Client(
        session=session, endpoint=options.os_endpoint,
        project_id=project_id,
        timeout=options.timeout or http.DEFAULT_TIMEOUT,
        retries=options.retries,
        api_version=options.os_data_protection_api_version,
        task_tag_factory=factory, region_name=options.os_region_name,
        interface=options.os_interface)


class ClientManager:
    """What OSC's ClientManager is to OSC commands: builds the client on
    first use, so "help" needs no endpoint or credentials."""

    def __init__(self, options):
        self._options = options
        self._client = None

    @property
    def data_protection(self):
        if self._client is None:
            self._client = build_client(self._options)
        return self._client


class KarborShell(app.App):
    NAME = CLI_NAME
    LOG = logging.getLogger(CLI_NAME)

    def __init__(self, argv, environ=None, stdout=None, stderr=None):
        # The auth options to register depend on the argv (the keystoneauth
        # plugin chosen), and cliff builds the parser in __init__.
        self._argv = list(argv)
        self._environ = os.environ if environ is None else environ
        manager = commandmanager.CommandManager('karbor.cli.none')
        for name, command_class in commands.COMMANDS.items():
            manager.add_command(name, command_class)
        super().__init__(description=__doc__.split('\n')[0],
                         version=_version(), command_manager=manager,
                         stdout=stdout, stderr=stderr, deferred_help=True)

    def build_option_parser(self, description, version,
                            argparse_kwargs=None):
        # No abbreviations: "--desc" of a command must not be taken for a
        # global option by the first (global) parse.
        parser = super().build_option_parser(
            description, version,
            argparse_kwargs={'allow_abbrev': False, 'prog': CLI_NAME})
        register_global_options(parser, self._argv, self._environ)
        return parser

    def initialize_app(self, argv):
        self.client_manager = ClientManager(self.options)
        if self.options.debug:
            enable_http_debug(self.stderr)

    def interact(self):
        # No interactive shell: a bare "karbor-cli" in a script must not
        # wait for input.
        self.print_help_if_requested()
        self.run_subcommand(['help'])


def enable_http_debug(stream):
    """--debug: every request and response (tokens redacted) on stderr."""
    logger = logging.getLogger(http.LOG.name)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter('%(message)s'))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    # Not also through the root handler (that would print twice with -v).
    logger.propagate = False
    return handler


def _version():
    try:
        return importlib.metadata.version('karbor')
    except importlib.metadata.PackageNotFoundError:
        return 'unknown'


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    return KarborShell(argv).run(argv)


if __name__ == '__main__':
    sys.exit(main())
