"""restore create | list | show"""

import json

from karbor.client import exceptions
from karbor.client.commands import base
from karbor.client.commands import checkpoints as checkpoint_commands
from karbor.client.v1 import restores as sdk_restores

RESTORE_COLUMNS = (('ID', 'id'), ('Status', 'status'),
                   ('Checkpoint ID', 'checkpoint_id'),
                   ('Provider ID', 'provider_id'),
                   ('Restore target', 'restore_target'),
                   ('Created at', 'created_at'))


def parse_parameter(spec):
    """'TYPE[#ID]=KEY=VALUE' -> (type, key, value).

    VALUE is read as JSON when it is JSON (1.5, true, null, "quoted",
    {...}), else taken as a string, so ``delay_seconds=2`` is a number and
    ``note=home dirs`` a string.
    """
    resource_type, sep, rest = spec.partition('=')
    key, sep2, text = rest.partition('=')
    if not (sep and sep2 and resource_type and key):
        raise exceptions.CommandError(
            '--parameter expects TYPE[#ID]=KEY=VALUE, got %r' % spec)
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    return resource_type, key, value


def build_parameters(parameters_json, parameter_specs):
    """--parameters-json, then each --parameter set on top of it."""
    parameters = {}
    if parameters_json:
        parameters = base.parse_json_option('--parameters-json',
                                            parameters_json)
        if not isinstance(parameters, dict):
            raise exceptions.CommandError(
                '--parameters-json must be a JSON object keyed by resource '
                'type or "type#id"')
    for spec in parameter_specs or ():
        resource_type, key, value = parse_parameter(spec)
        section = parameters.setdefault(resource_type, {})
        if not isinstance(section, dict):
            raise exceptions.CommandError(
                'parameters of %s must be an object' % resource_type)
        section[key] = value
    return parameters


def restore_auth_from(parsed_args):
    username, password = parsed_args.username, parsed_args.password
    if username is None and password is None:
        return None
    if username is None or password is None:
        raise exceptions.CommandError(
            '--username and --password go together')
    if not parsed_args.target:
        raise exceptions.CommandError(
            '--username and --password are the credentials of --target; '
            'give --target too')
    return sdk_restores.restore_auth(username, password)


def _error_info(restore):
    return restore.error_info


class CreateRestore(base.ResourceShow):
    """Restore a checkpoint (asynchronous)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        checkpoint_commands.add_provider_argument(parser)
        parser.add_argument('checkpoint', metavar='<checkpoint>',
                            help='Id of an available checkpoint.')
        parser.add_argument('--target', metavar='<url>',
                            help='Restore to this site (e.g. a Keystone '
                                 'URL) instead of the original one.')
        parser.add_argument('--username', metavar='<username>',
                            help='User name on --target.')
        parser.add_argument('--password', metavar='<password>',
                            help='Password on --target (never shown back).')
        base.add_parameter_arguments(parser, 'restore')
        base.add_wait_arguments(parser)
        return parser

    def fetch(self, parsed_args):
        parameters = build_parameters(parsed_args.parameters_json,
                                      parsed_args.parameters)
        auth = restore_auth_from(parsed_args)
        client = self.client
        provider_id = checkpoint_commands.resolve_provider_id(
            client, parsed_args.provider)
        restore = client.restores.create(
            provider_id, parsed_args.checkpoint,
            restore_target=parsed_args.target, restore_auth=auth,
            parameters=parameters)
        final = base.wait_if_requested(
            self.app, parsed_args, lambda: client.restores.get(restore.id),
            success=sdk_restores.SUCCESS, failure=sdk_restores.FAILURE,
            progress_of=lambda r: r.percent_done, reason_of=_error_info,
            label='Restore %s' % restore.id)
        return final or restore


class ListRestores(base.ResourceLister):
    """List restores, newest first."""

    columns = RESTORE_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', metavar='<in_progress|success|fail>',
                            help='Only restores in this status.')
        parser.add_argument('--checkpoint', metavar='<checkpoint-id>',
                            help='Only restores of this checkpoint.')
        parser.add_argument('--provider', metavar='<provider>',
                            help='Only restores of this provider (id or '
                                 'name).')
        base.add_project_scope_arguments(parser, 'Restores')
        return parser

    def fetch(self, parsed_args, list_options):
        client = self.client
        provider_id = None
        if parsed_args.provider:
            provider_id = checkpoint_commands.resolve_provider_id(
                client, parsed_args.provider)
        return client.restores.list(
            status=parsed_args.status, checkpoint_id=parsed_args.checkpoint,
            provider_id=provider_id,
            **base.project_scope(parsed_args), **list_options)


class ShowRestore(base.ResourceShow):
    """Show a restore and the status of each of its resources."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('restore', metavar='<restore>',
                            help='Restore id.')
        return parser

    def fetch(self, parsed_args):
        return self.client.restores.get(parsed_args.restore)
