"""operation log list | show"""

from karbor.client import exceptions
from karbor.client.commands import base
from karbor.client.commands import checkpoints as checkpoint_commands
from karbor.client.commands import plans as plan_commands
from karbor.client.v1 import operation_logs as sdk_logs

LOG_COLUMNS = (('ID', 'id'), ('Type', 'operation_type'),
               ('Status', 'status'), ('Checkpoint ID', 'checkpoint_id'),
               ('Plan ID', 'plan_id'), ('Started at', 'started_at'),
               ('Ended at', 'ended_at'))
PROJECT_COLUMN = ('Project ID', 'project_id')


def _status_help():
    return '; '.join('%s: %s' % (kind, ', '.join(statuses))
                     for kind, statuses in sdk_logs.STATUSES.items())


def split_statuses(text):
    statuses = [s.strip() for s in text.split(',') if s.strip()]
    if not statuses:
        raise exceptions.CommandError(
            '--status-in expects a comma-separated list of statuses, got %r'
            % text)
    return statuses


def time_bounds(after, before, after_option, before_option):
    """[--x-after T] [--x-before T] -> ['gte:T', 'lt:T'] (half-open, so
    consecutive windows never count an operation twice)."""
    for option, value in ((after_option, after), (before_option, before)):
        if value is not None and not value.strip():
            raise exceptions.CommandError('%s expects an ISO 8601 time'
                                          % option)
    bounds = []
    if after is not None:
        bounds.append('gte:' + after.strip())
    if before is not None:
        bounds.append('lt:' + before.strip())
    return bounds or None


class ListOperationLogs(base.ResourceLister):
    """List operation logs (protect, delete, restore, copy, verify), newest
    first."""

    columns = LOG_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--type', dest='operation_type',
            choices=sdk_logs.OPERATION_TYPES,
            help='Only operations of this type.')
        status = parser.add_mutually_exclusive_group()
        status.add_argument(
            '--status', metavar='<status>',
            help='Only logs in this status (%s).' % _status_help())
        status.add_argument(
            '--status-in', metavar='<status>[,<status>...]',
            help='Only logs in one of these statuses.')
        parser.add_argument('--checkpoint', metavar='<checkpoint-id>',
                            help='Only operations on this checkpoint.')
        parser.add_argument(
            '--plan', metavar='<plan>',
            help='Only operations of this plan (id, or the name of an '
                 'existing plan; logs outlive their plan, so use the id '
                 'of a deleted one).')
        parser.add_argument('--restore', metavar='<restore-id>',
                            help='Only the log of this restore.')
        parser.add_argument('--verification', metavar='<verification-id>',
                            help='Only the log of this verification.')
        parser.add_argument(
            '--scheduled-operation', metavar='<scheduled-operation-id>',
            help='Only operations started by this scheduled operation.')
        parser.add_argument('--provider', metavar='<provider>',
                            help='Only operations of this provider (id or '
                                 'name).')
        parser.add_argument(
            '--started-after', metavar='<time>',
            help='Only operations started at or after this ISO 8601 time '
                 '(e.g. 2026-01-31T00:00:00Z).')
        parser.add_argument(
            '--started-before', metavar='<time>',
            help='Only operations started strictly before this ISO 8601 '
                 'time.')
        parser.add_argument(
            '--ended-after', metavar='<time>',
            help='Only operations that ended at or after this ISO 8601 '
                 'time (so only finished ones).')
        parser.add_argument(
            '--ended-before', metavar='<time>',
            help='Only operations that ended strictly before this ISO 8601 '
                 'time (so only finished ones).')
        base.add_project_scope_arguments(parser, 'Logs')
        return parser

    def fetch(self, parsed_args, list_options):
        statuses = None
        if parsed_args.status_in is not None:
            statuses = split_statuses(parsed_args.status_in)
        started = time_bounds(parsed_args.started_after,
                              parsed_args.started_before,
                              '--started-after', '--started-before')
        ended = time_bounds(parsed_args.ended_after,
                            parsed_args.ended_before,
                            '--ended-after', '--ended-before')
        client = self.client
        plan_id = None
        if parsed_args.plan:
            plan_id = plan_commands.resolve_plan_id(client, parsed_args.plan)
        provider_id = None
        if parsed_args.provider:
            provider_id = checkpoint_commands.resolve_provider_id(
                client, parsed_args.provider)
        across_projects = parsed_args.all_projects or bool(
            parsed_args.project)
        if across_projects:
            self.columns = LOG_COLUMNS[:1] + (PROJECT_COLUMN,) + \
                LOG_COLUMNS[1:]
        return client.operation_logs.list(
            operation_type=parsed_args.operation_type,
            status=parsed_args.status, statuses=statuses,
            checkpoint_id=parsed_args.checkpoint, plan_id=plan_id,
            restore_id=parsed_args.restore,
            verification_id=parsed_args.verification,
            scheduled_operation_id=parsed_args.scheduled_operation,
            provider_id=provider_id, started_at=started, ended_at=ended,
            all_tenants=across_projects, project_id=parsed_args.project,
            **list_options)


class ShowOperationLog(base.ResourceShow):
    """Show an operation log, with its error_info and extra_info."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('log', metavar='<operation-log-id>',
                            help='Operation log id.')
        parser.add_argument(
            '--provider', metavar='<provider>',
            help='Read it through this provider (id or name); not found '
                 'if the log belongs to another provider.')
        return parser

    def fetch(self, parsed_args):
        client = self.client
        provider_id = None
        if parsed_args.provider:
            provider_id = checkpoint_commands.resolve_provider_id(
                client, parsed_args.provider)
        return client.operation_logs.get(parsed_args.log,
                                         provider_id=provider_id)
