"""plan list | show | create | update | delete"""

from osc_lib.command import command

from karbor.client import base as sdk_base
from karbor.client import exceptions
from karbor.client.commands import base

PLAN_COLUMNS = (('ID', 'id'), ('Name', 'name'),
                ('Description', 'description'),
                ('Provider ID', 'provider_id'), ('Status', 'status'))


def resolve_plan_id(client, name_or_id):
    # An id is used as is, so update/delete send one request; only a name
    # costs a lookup.
    if sdk_base.looks_like_uuid(name_or_id):
        return name_or_id
    return client.plans.find(name_or_id).id


def parse_resource(client, spec):
    """ID=TYPE[=NAME[=EXTRA_INFO_JSON]] -> a plan resource dict.

    Without NAME, the instance is fetched to fill it in (which also checks
    that it exists, with the server's 404 message if not).
    """
    parts = spec.split('=', 3)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise exceptions.CommandError(
            '--resource expects ID=TYPE[=NAME[=EXTRA_INFO_JSON]], got %r'
            % spec)
    resource = {'id': parts[0], 'type': parts[1]}
    if len(parts) > 2 and parts[2]:
        resource['name'] = parts[2]
    else:
        instance = client.protectables.get_instance(parts[1], parts[0])
        resource['name'] = instance.name
    if len(parts) > 3:
        resource['extra_info'] = base.parse_json_option(
            '--resource extra info', parts[3])
    return resource


def add_resource_argument(parser, required):
    parser.add_argument(
        '--resource', dest='resources', action='append',
        required=required, metavar='<id=type[=name[=extra_info_json]]>',
        help='A resource to protect (repeatable); see "protectable '
             'instance list". Without a name, the instance\'s is used.')


class ListPlans(base.ResourceLister):
    """List protection plans."""

    columns = PLAN_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name', help='Only plans with this name.')
        parser.add_argument('--status', metavar='<suspended|started>',
                            help='Only plans in this status.')
        parser.add_argument('--description',
                            help='Only plans with this description.')
        base.add_project_scope_arguments(parser, 'Plans')
        return parser

    def fetch(self, parsed_args, list_options):
        return self.client.plans.list(
            name=parsed_args.name, status=parsed_args.status,
            description=parsed_args.description,
            **base.project_scope(parsed_args), **list_options)


class ShowPlan(base.ResourceShow):
    """Show a protection plan."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('plan', metavar='<plan>',
                            help='Plan id or name.')
        return parser

    def fetch(self, parsed_args):
        return self.client.plans.find(parsed_args.plan)


class CreatePlan(base.ResourceShow):
    """Create a protection plan (created suspended)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<name>', help='Plan name.')
        parser.add_argument('provider', metavar='<provider>',
                            help='Provider id or name (see "provider list").')
        add_resource_argument(parser, required=True)
        parser.add_argument('--parameters-json', metavar='<json>',
                            help='Plan parameters as a JSON object, keyed '
                                 'by resource type or "type#id".')
        parser.add_argument('--description', help='Plan description.')
        return parser

    def fetch(self, parsed_args):
        client = self.client
        provider_id = parsed_args.provider
        if not sdk_base.looks_like_uuid(provider_id):
            provider_id = client.providers.find(provider_id).id
        resources = [parse_resource(client, spec)
                     for spec in parsed_args.resources]
        parameters = None
        if parsed_args.parameters_json:
            parameters = base.parse_json_option(
                '--parameters-json', parsed_args.parameters_json)
        return client.plans.create(
            parsed_args.name, provider_id, resources,
            parameters=parameters, description=parsed_args.description)


class UpdatePlan(base.ResourceShow):
    """Update a suspended plan, or start/suspend it with --status."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('plan', metavar='<plan>',
                            help='Plan id or name.')
        parser.add_argument('--name', help='New name.')
        parser.add_argument('--description', help='New description.')
        add_resource_argument(parser, required=False)
        parser.add_argument('--status', metavar='<suspended|started>',
                            help='New status.')
        return parser

    def fetch(self, parsed_args):
        client = self.client
        resources = None
        if parsed_args.resources:
            resources = [parse_resource(client, spec)
                         for spec in parsed_args.resources]
        if (resources is None and parsed_args.name is None
                and parsed_args.description is None
                and parsed_args.status is None):
            raise exceptions.CommandError(
                'Nothing to update: give --name, --description, --resource '
                'or --status')
        return client.plans.update(
            resolve_plan_id(client, parsed_args.plan),
            name=parsed_args.name, description=parsed_args.description,
            resources=resources, status=parsed_args.status)


class DeletePlan(base.KarborCommandMixin, command.Command):
    """Delete one or more plans."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('plans', metavar='<plan>', nargs='+',
                            help='Plan id(s) or name(s).')
        return parser

    def take_action(self, parsed_args):
        client = self.client
        return base.delete_each(
            self.app, parsed_args.plans, 'plan', 'plans',
            lambda plan: client.plans.delete(resolve_plan_id(client, plan)))
