"""scheduled operation create | list | show | update | delete | runs"""

from osc_lib.command import command

from karbor.client import base as sdk_base
from karbor.client import exceptions
from karbor.client.commands import base
from karbor.client.commands import checkpoints as checkpoint_commands
from karbor.client.commands import plans as plan_commands
from karbor.client.commands import restores as restore_commands
from karbor.client.commands import triggers as trigger_commands

OPERATION_COLUMNS = (('ID', 'id'), ('Name', 'name'),
                     ('Type', 'operation_type'),
                     ('Trigger ID', 'trigger_id'), ('Plan ID', 'plan_id'),
                     ('Enabled', 'enabled'), ('Next run at', 'next_run_at'),
                     ('Last run', 'last_run_state'))
RUN_COLUMNS = (('ID', 'id'), ('Due at', 'due_at'), ('State', 'state'),
               ('Checkpoint ID', 'checkpoint_id'), ('Copy ID', 'copy_id'),
               ('Deleted checkpoints', 'deleted_checkpoints'),
               ('Attempts', 'attempts'), ('Finished at', 'finished_at'),
               ('Reason', 'reason'))


def resolve_operation_id(client, name_or_id):
    if sdk_base.looks_like_uuid(name_or_id):
        return name_or_id
    return client.scheduled_operations.find(name_or_id).id


def present_operation(operation, parsed_args):
    """(columns, values) of an operation, with ``last_run_state`` after
    ``last_run`` (the state alone is what a table reader looks for)."""
    data = operation.to_dict()
    shown = {}
    for name, value in data.items():
        shown[name] = value
        if name == 'last_run':
            shown['last_run_state'] = operation.last_run_state
    names = tuple(shown)
    return names, tuple(base.display_value(shown[name], parsed_args)
                        for name in names)


class _OperationShow(base.ResourceShow):
    def take_action(self, parsed_args):
        return present_operation(self.fetch(parsed_args), parsed_args)


def add_operation_argument(parser):
    parser.add_argument('operation', metavar='<scheduled-operation>',
                        help='Scheduled operation id or name.')


class CreateScheduledOperation(_OperationShow):
    """Schedule a protect, retention protect or copy of a plan on a
    trigger (enabled unless --disabled)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<name>',
                            help='Scheduled operation name.')
        parser.add_argument('--type', dest='operation_type', required=True,
                            metavar='<protect|retention_protect|copy>',
                            help='What each run does: a checkpoint; a '
                                 'checkpoint, then the oldest ones beyond '
                                 'the retention deleted; or a copy of the '
                                 'plan\'s checkpoints.')
        parser.add_argument('--trigger', required=True, metavar='<trigger>',
                            help='Trigger id or name (see "trigger list").')
        parser.add_argument('--plan', required=True, metavar='<plan>',
                            help='Plan id or name.')
        parser.add_argument('--provider', metavar='<provider>',
                            help='Provider id or name (default: the '
                                 'plan\'s).')
        parser.add_argument('--max-backups', type=int, metavar='<n>',
                            help='retention_protect: keep at most <n> '
                                 'checkpoints of the plan.')
        parser.add_argument('--retention-days', type=int, metavar='<days>',
                            help='retention_protect: delete checkpoints '
                                 'older than this (0 or less: no limit).')
        parser.add_argument('--destination', metavar='<name>',
                            help='copy: a copy destination of the provider '
                                 '(default: its first).')
        base.add_parameter_arguments(parser, 'copy')
        parser.add_argument('--description',
                            help='Scheduled operation description.')
        parser.add_argument('--disabled', action='store_true',
                            help='Create it disabled (no run until '
                                 'enabled).')
        return parser

    def fetch(self, parsed_args):
        client = self.client
        parameters = None
        if parsed_args.parameters or parsed_args.parameters_json:
            parameters = restore_commands.build_parameters(
                parsed_args.parameters_json, parsed_args.parameters)
        if parsed_args.provider:
            provider_id = checkpoint_commands.resolve_provider_id(
                client, parsed_args.provider)
            plan_id = plan_commands.resolve_plan_id(client, parsed_args.plan)
        else:
            plan = client.plans.find(parsed_args.plan)
            provider_id, plan_id = plan.provider_id, plan.id
        trigger_id = trigger_commands.resolve_trigger_id(
            client, parsed_args.trigger)
        return client.scheduled_operations.create(
            parsed_args.name, parsed_args.operation_type, trigger_id,
            provider_id, plan_id, description=parsed_args.description,
            max_backups=parsed_args.max_backups,
            retention_duration=parsed_args.retention_days,
            destination=parsed_args.destination, parameters=parameters,
            enabled=not parsed_args.disabled)


class ListScheduledOperations(base.ResourceLister):
    """List scheduled operations, with their next due time and the state
    of their last run."""

    columns = OPERATION_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name',
                            help='Only operations with this name.')
        parser.add_argument('--type', dest='operation_type',
                            metavar='<protect|retention_protect|copy>',
                            help='Only operations of this type.')
        parser.add_argument('--trigger', metavar='<trigger>',
                            help='Only operations on this trigger (id or '
                                 'name).')
        parser.add_argument('--plan', metavar='<plan>',
                            help='Only operations of this plan (id or '
                                 'name).')
        parser.add_argument('--provider', metavar='<provider>',
                            help='Only operations of this provider (id or '
                                 'name).')
        state = parser.add_mutually_exclusive_group()
        state.add_argument('--enabled', dest='enabled', action='store_true',
                           default=None, help='Only enabled operations.')
        state.add_argument('--disabled', dest='enabled',
                           action='store_false', default=None,
                           help='Only disabled operations.')
        base.add_project_scope_arguments(parser, 'Scheduled operations')
        return parser

    def fetch(self, parsed_args, list_options):
        client = self.client
        trigger_id = plan_id = provider_id = None
        if parsed_args.trigger:
            trigger_id = trigger_commands.resolve_trigger_id(
                client, parsed_args.trigger)
        if parsed_args.plan:
            plan_id = plan_commands.resolve_plan_id(client, parsed_args.plan)
        if parsed_args.provider:
            provider_id = checkpoint_commands.resolve_provider_id(
                client, parsed_args.provider)
        return client.scheduled_operations.list(
            name=parsed_args.name, operation_type=parsed_args.operation_type,
            trigger_id=trigger_id, plan_id=plan_id, provider_id=provider_id,
            enabled=parsed_args.enabled, **base.project_scope(parsed_args),
            **list_options)


class ShowScheduledOperation(_OperationShow):
    """Show a scheduled operation, its next due time and its last run."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_operation_argument(parser)
        return parser

    def fetch(self, parsed_args):
        return self.client.scheduled_operations.find(parsed_args.operation)


class UpdateScheduledOperation(_OperationShow):
    """Rename, describe, enable or disable a scheduled operation (enabling
    schedules the next occurrence after now; missed runs are not caught
    up)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_operation_argument(parser)
        parser.add_argument('--name', help='New name.')
        parser.add_argument('--description', help='New description.')
        state = parser.add_mutually_exclusive_group()
        state.add_argument('--enable', dest='enabled', action='store_true',
                           default=None, help='Enable it.')
        state.add_argument('--disable', dest='enabled',
                           action='store_false', default=None,
                           help='Disable it: no run until enabled again.')
        return parser

    def fetch(self, parsed_args):
        if (parsed_args.name is None and parsed_args.description is None
                and parsed_args.enabled is None):
            raise exceptions.CommandError(
                'Nothing to update: give --name, --description, --enable '
                'or --disable')
        client = self.client
        return client.scheduled_operations.update(
            resolve_operation_id(client, parsed_args.operation),
            name=parsed_args.name, description=parsed_args.description,
            enabled=parsed_args.enabled)


class DeleteScheduledOperation(base.KarborCommandMixin, command.Command):
    """Delete one or more scheduled operations and their run history (a
    run already started goes on)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('operations', metavar='<scheduled-operation>',
                            nargs='+',
                            help='Scheduled operation id(s) or name(s).')
        return parser

    def take_action(self, parsed_args):
        client = self.client
        return base.delete_each(
            self.app, parsed_args.operations, 'scheduled operation',
            'scheduled operations',
            lambda operation: client.scheduled_operations.delete(
                resolve_operation_id(client, operation)))


class ListScheduledRuns(base.ResourceLister):
    """List the runs of a scheduled operation, newest due time first."""

    columns = RUN_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_operation_argument(parser)
        parser.add_argument(
            '--state',
            metavar='<claimed|running|succeeded|failed|skipped>',
            help='Only runs in this state.')
        return parser

    def fetch(self, parsed_args, list_options):
        client = self.client
        return client.scheduled_operations.runs(
            resolve_operation_id(client, parsed_args.operation),
            state=parsed_args.state, **list_options)
