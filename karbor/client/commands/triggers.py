"""trigger create | list | show | update | delete"""

from osc_lib.command import command

from karbor.client import base as sdk_base
from karbor.client import exceptions
from karbor.client.commands import base
from karbor.client.v1 import triggers as sdk_triggers

TRIGGER_COLUMNS = (('ID', 'id'), ('Name', 'name'), ('Type', 'type'),
                   ('Format', 'format'), ('Pattern', 'pattern'),
                   ('Window', 'window'))


def resolve_trigger_id(client, name_or_id):
    # An id is used as is, so update/delete send one request; only a name
    # costs a lookup.
    if sdk_base.looks_like_uuid(name_or_id):
        return name_or_id
    return client.triggers.find(name_or_id).id


def release_format_option(parser):
    """Take '--format' from cliff's output-format option, which keeps
    '-f': in trigger create/update, --format is the trigger's format (the
    spelling of the API and of python-karborclient's properties)."""
    for action in parser._actions:
        if action.dest == 'formatter' and '--format' in action.option_strings:
            action.option_strings.remove('--format')
            parser._option_string_actions.pop('--format', None)


def add_property_arguments(parser, creating):
    """--format, --pattern, --start-time, --end-time, --window, --timezone
    and the legacy --property KEY=VALUE."""
    release_format_option(parser)
    parser.add_argument('--format', metavar='<crontab|calendar>',
                        help='How --pattern is written: a 5-field crontab '
                             'expression or an iCalendar RRULE. (Here the '
                             'output format is only -f.)')
    parser.add_argument('--pattern', metavar='<pattern>',
                        help='E.g. "0 2 * * *" (crontab) or '
                             '"RRULE:FREQ=WEEKLY;BYDAY=SU" (calendar).')
    parser.add_argument('--start-time', metavar='<time>',
                        help='No occurrence before this time (ISO 8601; '
                             'without an offset, in --timezone)%s.'
                             % ('; default: now' if creating else ''))
    parser.add_argument('--end-time', metavar='<time>',
                        help='No occurrence after this time.')
    parser.add_argument('--window', type=int, metavar='<seconds>',
                        help='How late a due run may still start; the '
                             'server bounds it%s.'
                             % (' (default: its maximum)' if creating
                                else ''))
    parser.add_argument('--timezone', metavar='<zone>',
                        help='IANA time zone the pattern is read in, e.g. '
                             'Europe/Paris%s.'
                             % (' (default UTC)' if creating else ''))
    parser.add_argument('--property', dest='properties', action='append',
                        metavar='<key=value>',
                        help='A trigger property (repeatable; the legacy '
                             'spelling of the options above, which win '
                             'over it).')


def properties_from(parsed_args):
    """--property pairs, with the dedicated options set on top."""
    properties = base.parse_key_values('--property', parsed_args.properties)
    for name in sdk_triggers.PROPERTY_NAMES:
        value = getattr(parsed_args, name)
        if value is not None:
            properties[name] = value
    return properties


class CreateTrigger(base.ResourceShow):
    """Create a time trigger, for scheduled operations."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<name>', help='Trigger name.')
        parser.add_argument('--type', default=sdk_triggers.TYPE_TIME,
                            metavar='<type>',
                            help='Trigger type (default %(default)s, the '
                                 'only one).')
        add_property_arguments(parser, creating=True)
        return parser

    def fetch(self, parsed_args):
        # Format and pattern are checked by the server, whose message says
        # what is wrong with them.
        return self.client.triggers.create(
            parsed_args.name, type=parsed_args.type,
            properties=properties_from(parsed_args))


class ListTriggers(base.ResourceLister):
    """List triggers."""

    columns = TRIGGER_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name', help='Only triggers with this name.')
        parser.add_argument('--type', metavar='<type>',
                            help='Only triggers of this type.')
        base.add_project_scope_arguments(parser, 'Triggers')
        return parser

    def fetch(self, parsed_args, list_options):
        return self.client.triggers.list(
            name=parsed_args.name, type=parsed_args.type,
            **base.project_scope(parsed_args), **list_options)


class ShowTrigger(base.ResourceShow):
    """Show a trigger."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('trigger', metavar='<trigger>',
                            help='Trigger id or name.')
        return parser

    def fetch(self, parsed_args):
        return self.client.triggers.find(parsed_args.trigger)


class UpdateTrigger(base.ResourceShow):
    """Rename a trigger or change its properties (the others are kept); the
    next run of each enabled operation on it follows at once."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('trigger', metavar='<trigger>',
                            help='Trigger id or name.')
        parser.add_argument('--name', help='New name.')
        add_property_arguments(parser, creating=False)
        parser.add_argument('--no-end-time', action='store_true',
                            help='Remove the end time.')
        return parser

    def fetch(self, parsed_args):
        properties = properties_from(parsed_args)
        if parsed_args.no_end_time:
            if parsed_args.end_time is not None:
                raise exceptions.CommandError(
                    '--end-time and --no-end-time contradict each other')
            properties['end_time'] = None
        if parsed_args.name is None and not properties:
            raise exceptions.CommandError(
                'Nothing to update: give --name or a property (--format, '
                '--pattern, --start-time, --end-time, --no-end-time, '
                '--window, --timezone, --property)')
        client = self.client
        return client.triggers.update(
            resolve_trigger_id(client, parsed_args.trigger),
            name=parsed_args.name, properties=properties)


class DeleteTrigger(base.KarborCommandMixin, command.Command):
    """Delete one or more triggers (refused while a scheduled operation
    uses one)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('triggers', metavar='<trigger>', nargs='+',
                            help='Trigger id(s) or name(s).')
        return parser

    def take_action(self, parsed_args):
        client = self.client
        return base.delete_each(
            self.app, parsed_args.triggers, 'trigger', 'triggers',
            lambda trigger: client.triggers.delete(
                resolve_trigger_id(client, trigger)))
