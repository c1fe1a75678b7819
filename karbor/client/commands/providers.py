"""provider list | show"""

from karbor.client.commands import base


class ListProviders(base.ResourceLister):
    """List protection providers."""

    columns = (('ID', 'id'), ('Name', 'name'), ('Description', 'description'))

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name', help='Only providers with this name.')
        parser.add_argument('--description',
                            help='Only providers with this description.')
        return parser

    def fetch(self, parsed_args, list_options):
        return self.client.providers.list(
            name=parsed_args.name, description=parsed_args.description,
            **list_options)


class ShowProvider(base.ResourceShow):
    """Show a protection provider and its extended info schema."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('provider', metavar='<provider>',
                            help='Provider id or name.')
        return parser

    def fetch(self, parsed_args):
        return self.client.providers.find(parsed_args.provider)
