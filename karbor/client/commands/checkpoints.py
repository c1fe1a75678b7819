"""checkpoint create | list | show | delete | reset state"""

from osc_lib.command import command

from karbor.client import base as sdk_base
from karbor.client import exceptions
from karbor.client.commands import base
from karbor.client.commands import plans as plan_commands
from karbor.client.v1 import checkpoints as sdk_checkpoints

CHECKPOINT_COLUMNS = (('ID', 'id'), ('Status', 'status'),
                      ('Plan ID', 'plan_id'), ('Plan name', 'plan_name'),
                      ('Created at', 'created_at'),
                      ('Finished at', 'finished_at'))


def resolve_provider_id(client, name_or_id):
    if sdk_base.looks_like_uuid(name_or_id):
        return name_or_id
    return client.providers.find(name_or_id).id


def add_provider_argument(parser):
    parser.add_argument('provider', metavar='<provider>',
                        help='Provider id or name (see "provider list").')


def refuse_task_tag_for_several(app, items, noun):
    if len(items) > 1 and getattr(app.options, 'task_tag', None):
        raise exceptions.CommandError(
            '--task-tag names one request; give one %s at a time' % noun)


def _error_info(resource):
    return resource.error_info


def parse_extra_info_pairs(option, pairs):
    """['k=v', ...] -> [('k', 'v'), ...]; VALUE may hold '=' and be empty.

    A bare KEY is refused here: python-karborclient sent it as a null
    value, which the server refuses too (extra-info values are strings).
    """
    parsed = []
    for pair in pairs or ():
        key, sep, value = pair.partition('=')
        key = key.strip()
        if not key:
            raise exceptions.CommandError(
                '%s expects KEY=VALUE, got %r: the key is empty'
                % (option, pair))
        if not sep:
            raise exceptions.CommandError(
                '%s expects KEY=VALUE, got %r: extra-info values are '
                'strings and a key without one is refused; write %s= for '
                'an empty value' % (option, pair, key))
        parsed.append((key, value))
    return parsed


def parse_extra_info(option, pairs):
    """--extra-info of checkpoint create -> {key: value}; a key given
    twice is refused rather than silently keeping the last value."""
    extra_info = {}
    for key, value in parse_extra_info_pairs(option, pairs):
        if key in extra_info:
            raise exceptions.CommandError(
                '%s: key %r is given twice' % (option, key))
        extra_info[key] = value
    return extra_info


def parse_extra_info_filters(option, pairs):
    """--extra-info of checkpoint list -> [(key, value)] (all must match).
    The server splits key:value at the first ':', so keys cannot hold
    one (nor can extra-info keys)."""
    parsed = parse_extra_info_pairs(option, pairs)
    for key, _value in parsed:
        if ':' in key:
            raise exceptions.CommandError(
                '%s: key %r cannot contain ":"' % (option, key))
    return parsed


class CreateCheckpoint(base.ResourceShow):
    """Protect a plan now: start a checkpoint (asynchronous)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_provider_argument(parser)
        parser.add_argument('plan', metavar='<plan>',
                            help='Plan id or name.')
        parser.add_argument(
            '--extra-info', dest='extra_info', action='append',
            metavar='<key=value>',
            help='Information kept with the checkpoint (repeatable; read '
                 'only afterwards). Keys: letters, digits, ".", "_", "-"; '
                 'your own (e.g. reason=upgrade) or a third-party '
                 'application\'s x-<application>--<key>; "karbor-" keys '
                 'are reserved.')
        base.add_wait_arguments(parser)
        return parser

    def fetch(self, parsed_args):
        client = self.client
        provider_id = resolve_provider_id(client, parsed_args.provider)
        extra_info = parse_extra_info('--extra-info', parsed_args.extra_info)
        plan_id = plan_commands.resolve_plan_id(client, parsed_args.plan)
        checkpoint = client.checkpoints.create(
            provider_id, plan_id, extra_info=extra_info or None)
        final = base.wait_if_requested(
            self.app, parsed_args,
            lambda: client.checkpoints.get(provider_id, checkpoint.id),
            success=sdk_checkpoints.CREATE_SUCCESS,
            failure=sdk_checkpoints.CREATE_FAILURE,
            progress_of=lambda c: c.percent_done,
            reason_of=_error_info, label='Checkpoint %s' % checkpoint.id)
        return final or checkpoint


class ListCheckpoints(base.ResourceLister):
    """List the checkpoints of a provider, newest first."""

    columns = CHECKPOINT_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_provider_argument(parser)
        parser.add_argument('--plan', metavar='<plan>',
                            help='Only checkpoints of this plan (id or '
                                 'name).')
        parser.add_argument(
            '--status', metavar='<status>',
            help='Only checkpoints in this status (deleted checkpoints are '
                 'only listed with --status deleted).')
        parser.add_argument(
            '--start-date', metavar='<date>',
            help='Only checkpoints created on or after this date '
                 '(YYYY-MM-DD) or time (ISO 8601).')
        parser.add_argument(
            '--end-date', metavar='<date>',
            help='Only checkpoints created on or before this date '
                 '(YYYY-MM-DD, the whole day) or time (ISO 8601).')
        parser.add_argument(
            '--extra-info', dest='extra_info', action='append',
            metavar='<key=value>',
            help='Only checkpoints whose extra-info has this key with '
                 'exactly this value (repeatable: all must match).')
        parser.add_argument('--destination', metavar='<name>',
                            help='Only the copies held by this copy '
                                 'destination of the provider.')
        parser.add_argument('--copied-from', metavar='<checkpoint-id>',
                            help='Only the copies of this checkpoint.')
        base.add_project_scope_arguments(parser, 'Checkpoints')
        return parser

    def fetch(self, parsed_args, list_options):
        extra_info = parse_extra_info_filters('--extra-info',
                                              parsed_args.extra_info)
        client = self.client
        plan_id = None
        if parsed_args.plan:
            plan_id = plan_commands.resolve_plan_id(client, parsed_args.plan)
        return client.checkpoints.list(
            resolve_provider_id(client, parsed_args.provider),
            plan_id=plan_id, status=parsed_args.status,
            start_date=parsed_args.start_date,
            end_date=parsed_args.end_date, extra_info=extra_info or None,
            destination=parsed_args.destination,
            copied_from=parsed_args.copied_from,
            **base.project_scope(parsed_args), **list_options)


class ShowCheckpoint(base.ResourceShow):
    """Show a checkpoint."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_provider_argument(parser)
        parser.add_argument('checkpoint', metavar='<checkpoint>',
                            help='Checkpoint id.')
        return parser

    def fetch(self, parsed_args):
        client = self.client
        return client.checkpoints.get(
            resolve_provider_id(client, parsed_args.provider),
            parsed_args.checkpoint)


class DeleteCheckpoint(base.KarborCommandMixin, command.Command):
    """Delete one or more checkpoints (asynchronous)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_provider_argument(parser)
        parser.add_argument('checkpoints', metavar='<checkpoint>',
                            nargs='+', help='Checkpoint id(s).')
        base.add_wait_arguments(parser)
        return parser

    def take_action(self, parsed_args):
        refuse_task_tag_for_several(self.app, parsed_args.checkpoints,
                                    'checkpoint')
        client = self.client
        provider_id = resolve_provider_id(client, parsed_args.provider)
        if len(parsed_args.checkpoints) == 1:
            # One checkpoint: the server's own error is the clearest.
            self._delete(client, provider_id, parsed_args.checkpoints[0],
                         parsed_args)
            return 0
        # Start every delete first, then wait: they run in parallel.
        started, failures = [], 0
        for checkpoint_id in parsed_args.checkpoints:
            try:
                client.checkpoints.delete(provider_id, checkpoint_id)
                started.append(checkpoint_id)
            except exceptions.KarborError as exc:
                failures += 1
                self.app.stderr.write('Failed to delete checkpoint %s: %s\n'
                                      % (checkpoint_id, exc))
        for checkpoint_id in started:
            try:
                self._wait(client, provider_id, checkpoint_id, parsed_args)
            except exceptions.KarborError as exc:
                failures += 1
                self.app.stderr.write('Failed to delete checkpoint %s: %s\n'
                                      % (checkpoint_id, exc))
        if failures:
            raise exceptions.CommandError(
                '%d of %d checkpoints could not be deleted'
                % (failures, len(parsed_args.checkpoints)))
        return 0

    def _delete(self, client, provider_id, checkpoint_id, parsed_args):
        client.checkpoints.delete(provider_id, checkpoint_id)
        self._wait(client, provider_id, checkpoint_id, parsed_args)

    def _wait(self, client, provider_id, checkpoint_id, parsed_args):
        base.wait_if_requested(
            self.app, parsed_args,
            lambda: client.checkpoints.get(provider_id, checkpoint_id),
            success=sdk_checkpoints.DELETE_SUCCESS,
            failure=sdk_checkpoints.DELETE_FAILURE, gone_is_success=True,
            reason_of=_error_info, label='Checkpoint %s' % checkpoint_id)


class ResetCheckpointState(base.ResourceShow):
    """Reset a checkpoint to error (default) or available (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_provider_argument(parser)
        parser.add_argument('checkpoint', metavar='<checkpoint>',
                            help='Checkpoint id.')
        group = parser.add_mutually_exclusive_group()
        group.add_argument('--available', dest='state', action='store_const',
                           const='available',
                           help='Reset to "available".')
        group.add_argument('--error', dest='state', action='store_const',
                           const='error',
                           help='Reset to "error" (the default).')
        parser.set_defaults(state='error')
        return parser

    def fetch(self, parsed_args):
        client = self.client
        return client.checkpoints.reset_state(
            resolve_provider_id(client, parsed_args.provider),
            parsed_args.checkpoint, parsed_args.state)
