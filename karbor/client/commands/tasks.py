"""task list | show | find"""

from karbor.client import exceptions
from karbor.client.commands import base
from karbor.client.commands import operation_logs as log_commands
from karbor.client.v1 import tasks as sdk_tasks

TASK_COLUMNS = (('ID', 'id'), ('Tag', 'tag'), ('Task', 'task'),
                ('State', 'state'), ('Resource', 'resource_ref'),
                ('Start time', 'start_time'))


def _time_option(option, value):
    if value is not None and not value.strip():
        raise exceptions.CommandError('%s expects an ISO 8601 time' % option)
    return value.strip() if value is not None else None


class ListTasks(base.ResourceLister):
    """List the project's tasks (its POST, PUT and DELETE requests)."""

    columns = TASK_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--tag', metavar='<tag>',
                            help='Only the task of this Task-Tag.')
        state = parser.add_mutually_exclusive_group()
        state.add_argument(
            '--state', choices=sdk_tasks.STATES,
            help='Only tasks in this state.')
        state.add_argument(
            '--state-in', metavar='<state>[,<state>...]',
            help='Only tasks in one of these states (%s).'
                 % ', '.join(sdk_tasks.STATES))
        parser.add_argument(
            '--action', choices=sdk_tasks.ACTIONS,
            help='Only tasks of this action.')
        parser.add_argument(
            '--resource', metavar='<type>:<id>',
            help='Only tasks on this resource (type: %s), e.g. '
                 'plan:<plan-id>.' % ', '.join(sdk_tasks.RESOURCE_TYPES))
        parser.add_argument(
            '--since', metavar='<time>',
            help='Only tasks started at or after this ISO 8601 time.')
        parser.add_argument(
            '--until', metavar='<time>',
            help='Only tasks started strictly before this ISO 8601 time.')
        return parser

    def fetch(self, parsed_args, list_options):
        states = None
        if parsed_args.state_in is not None:
            states = log_commands.split_statuses(parsed_args.state_in)
        if parsed_args.resource is not None:
            kind, sep, resource_id = parsed_args.resource.partition(':')
            if not sep or not kind or not resource_id:
                raise exceptions.CommandError(
                    '--resource expects <type>:<id>, got %r'
                    % parsed_args.resource)
        return self.client.tasks.list(
            tag=parsed_args.tag, state=parsed_args.state, states=states,
            action=parsed_args.action, resource=parsed_args.resource,
            since=_time_option('--since', parsed_args.since),
            until=_time_option('--until', parsed_args.until),
            **list_options)


class ShowTask(base.ResourceShow):
    """Show a task: its state, resource, answer status and error."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('task', metavar='<task-id>',
                            help='Task id (the Task-Id answer header).')
        return parser

    def fetch(self, parsed_args):
        return self.client.tasks.get(parsed_args.task)


class FindTask(base.ResourceShow):
    """Show the task of a Task-Tag (exit 1 when the project has none)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('tag', metavar='<tag>',
                            help='The Task-Tag the request was sent with.')
        return parser

    def fetch(self, parsed_args):
        task = self.client.tasks.find(parsed_args.tag)
        if task is None:
            raise exceptions.KarborError(
                'No task has Task-Tag %s: the server never recorded a '
                'request with it (not received, refused before it changed '
                'anything, or expired).' % parsed_args.tag)
        return task
