"""checkpoint copy | copy list | copy show"""

from karbor.client import exceptions
from karbor.client.commands import base
from karbor.client.commands import checkpoints as checkpoint_commands
from karbor.client.commands import plans as plan_commands
from karbor.client.commands import restores as restore_commands
from karbor.client.v1 import copies as sdk_copies

COPY_COLUMNS = (('ID', 'id'), ('Status', 'status'), ('Plan ID', 'plan_id'),
                ('Destination', 'destination'),
                ('Checkpoints', 'checkpoint_count'),
                ('Created at', 'created_at'))


def _error_info(copy):
    failed = copy.failed_checkpoints
    if not failed:
        return copy.error_info
    return '; '.join('%s: %s' % item for item in sorted(failed.items()))


class CopyCheckpoints(base.ResourceShow):
    """Copy a plan's checkpoints (those not copied yet), or one checkpoint,
    to a copy destination of the provider (asynchronous)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        checkpoint_commands.add_provider_argument(parser)
        parser.add_argument('--plan', metavar='<plan>',
                            help='Copy the available checkpoints of this '
                                 'plan (name or id) not yet copied to the '
                                 'destination.')
        parser.add_argument('--checkpoint', metavar='<checkpoint-id>',
                            help='Copy only this checkpoint.')
        parser.add_argument('--destination', metavar='<name>',
                            help='A copy destination of the provider (see '
                                 'provider show); default: its first.')
        base.add_parameter_arguments(parser, 'copy')
        base.add_wait_arguments(parser)
        return parser

    def fetch(self, parsed_args):
        if not parsed_args.plan and not parsed_args.checkpoint:
            raise exceptions.CommandError(
                'give --plan (copy its checkpoints) or --checkpoint')
        client = self.client
        provider_id = checkpoint_commands.resolve_provider_id(
            client, parsed_args.provider)
        plan_id = (plan_commands.resolve_plan_id(client, parsed_args.plan)
                   if parsed_args.plan else None)
        parameters = restore_commands.build_parameters(
            parsed_args.parameters_json, parsed_args.parameters)
        copy = client.copies.create(
            provider_id, plan_id, checkpoint_id=parsed_args.checkpoint,
            destination=parsed_args.destination, parameters=parameters)
        final = base.wait_if_requested(
            self.app, parsed_args, lambda: client.copies.get(copy.id),
            success=sdk_copies.SUCCESS, failure=sdk_copies.FAILURE,
            progress_of=lambda c: c.percent_done, reason_of=_error_info,
            label='Copy %s' % copy.id)
        return final or copy


class _CountedCopy:
    """A copy as a list row: with the number of its checkpoints."""

    def __init__(self, copy):
        self._copy = copy
        self.checkpoint_count = len(copy.checkpoints or [])

    def __getattr__(self, name):
        return getattr(self._copy, name)


class ListCopies(base.ResourceLister):
    """List copies, newest first."""

    columns = COPY_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--plan', metavar='<plan>',
                            help='Only copies of this plan (name or id).')
        parser.add_argument('--provider', metavar='<provider>',
                            help='Only copies of this provider (id or '
                                 'name).')
        parser.add_argument('--status',
                            metavar='<in_progress|finished|error>',
                            help='Only copies in this status.')
        parser.add_argument('--destination', metavar='<name>',
                            help='Only copies to this destination.')
        base.add_project_scope_arguments(parser, 'Copies')
        return parser

    def fetch(self, parsed_args, list_options):
        client = self.client
        provider_id = plan_id = None
        if parsed_args.provider:
            provider_id = checkpoint_commands.resolve_provider_id(
                client, parsed_args.provider)
        if parsed_args.plan:
            plan_id = plan_commands.resolve_plan_id(client, parsed_args.plan)
        copies = client.copies.list(
            plan_id=plan_id, provider_id=provider_id,
            status=parsed_args.status, destination=parsed_args.destination,
            **base.project_scope(parsed_args), **list_options)
        return (_CountedCopy(copy) for copy in copies)


class ShowCopy(base.ResourceShow):
    """Show a copy and how each of its checkpoints went."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('copy', metavar='<copy>', help='Copy id.')
        return parser

    def fetch(self, parsed_args):
        return self.client.copies.get(parsed_args.copy)
