"""protectable list | show, protectable instance list | show"""

from karbor.client.commands import base


def add_parameters_argument(parser):
    parser.add_argument(
        '--parameter', dest='parameters', action='append', default=[],
        metavar='<key=value>',
        help='Parameter for the protectable plugin (repeatable).')


class ListProtectableTypes(base.ResourceLister):
    """List the resource types that can be protected."""

    columns = (('Protectable type', 'name'),)
    paginated = False

    def fetch(self, parsed_args, list_options):
        return [_TypeName(name) for name in
                self.client.protectables.list_types()]


class _TypeName:
    """The list of types is a list of names; give rows a ``name``."""

    def __init__(self, name):
        self.name = name


class ShowProtectableType(base.ResourceShow):
    """Show a protectable type and the types it depends on."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('type', metavar='<type>',
                            help='Protectable type, e.g. '
                                 'OS::Karbor::Directory.')
        return parser

    def fetch(self, parsed_args):
        return self.client.protectables.get_type(parsed_args.type)


class ListProtectableInstances(base.ResourceLister):
    """List the instances of a protectable type."""

    columns = (('ID', 'id'), ('Type', 'type'), ('Name', 'name'),
               ('Dependent resources', 'dependent_resources'),
               ('Extra info', 'extra_info'))

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('type', metavar='<type>',
                            help='Protectable type.')
        add_parameters_argument(parser)
        return parser

    def fetch(self, parsed_args, list_options):
        parameters = base.parse_key_values('--parameter',
                                           parsed_args.parameters)
        return self.client.protectables.list_instances(
            parsed_args.type, parameters=parameters, **list_options)


class ShowProtectableInstance(base.ResourceShow):
    """Show one instance of a protectable type."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('type', metavar='<type>',
                            help='Protectable type.')
        parser.add_argument('instance', metavar='<instance-id>',
                            help='Instance id.')
        add_parameters_argument(parser)
        return parser

    def fetch(self, parsed_args):
        parameters = base.parse_key_values('--parameter',
                                           parsed_args.parameters)
        return self.client.protectables.get_instance(
            parsed_args.type, parsed_args.instance, parameters=parameters)
