"""service list | enable | disable (admin)"""

from karbor.client.commands import base


class ListServices(base.ResourceLister):
    """List Karbor services and their state (admin)."""

    columns = (('ID', 'id'), ('Binary', 'binary'), ('Host', 'host'),
               ('Status', 'status'), ('State', 'state'),
               ('Updated at', 'updated_at'),
               ('Disabled reason', 'disabled_reason'))
    paginated = False

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--host', help='Only services on this host.')
        parser.add_argument('--binary',
                            help='Only services of this binary.')
        return parser

    def fetch(self, parsed_args, list_options):
        return self.client.services.list(host=parsed_args.host,
                                         binary=parsed_args.binary)


class _ServiceStatusCommand(base.ResourceShow):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('service', metavar='<service-id>',
                            help='Service id (see "service list").')
        return parser


class EnableService(_ServiceStatusCommand):
    """Enable a service (admin)."""

    def fetch(self, parsed_args):
        return self.client.services.enable(parsed_args.service)


class DisableService(_ServiceStatusCommand):
    """Disable a service, optionally saying why (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--reason', metavar='<reason>',
                            help='Why the service is disabled.')
        return parser

    def fetch(self, parsed_args):
        return self.client.services.disable(parsed_args.service,
                                            reason=parsed_args.reason)
