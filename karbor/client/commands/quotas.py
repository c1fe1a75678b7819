"""quota show | defaults | update | delete, quota class show | update

Limits of -1 are unlimited. Without --project, the commands act on the
caller's own project; another project's quota needs the admin role, and so
do updates. A limit may be set below the current usage: it only refuses
new creates.
"""

from osc_lib.command import command

from karbor.client import exceptions
from karbor.client.commands import base


def add_project_argument(parser):
    parser.add_argument(
        '--project', '--tenant', dest='project', metavar='<project-id>',
        help='The project whose quota it is (default: your own; another '
             'project needs the admin role).')


def add_limit_arguments(parser):
    parser.add_argument('--plans', type=int, metavar='<n>',
                        help='How many plans (-1: unlimited).')
    parser.add_argument('--checkpoints', type=int, metavar='<n>',
                        help='How many checkpoints not deleted yet, errored '
                             'ones and copies included (-1: unlimited).')


def limits_of(parsed_args):
    limits = {key: getattr(parsed_args, key)
              for key in ('plans', 'checkpoints')
              if getattr(parsed_args, key) is not None}
    if not limits:
        raise exceptions.CommandError(
            'give --plans and/or --checkpoints')
    for key, value in limits.items():
        if value < -1:
            raise exceptions.CommandError(
                '--%s must be -1 (unlimited) or more, not %d' % (key, value))
    return limits


class ShowQuota(base.ResourceShow):
    """Show the quota of a project; --detail adds its usage."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_project_argument(parser)
        parser.add_argument(
            '--detail', action='store_true',
            help='Each limit with what is in use (limit, in_use, '
                 'reserved).')
        return parser

    def fetch(self, parsed_args):
        return self.client.quotas.get(parsed_args.project,
                                      detail=parsed_args.detail)


class ShowDefaultQuota(base.ResourceShow):
    """Show the default quota: the limits of a project without its own."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_project_argument(parser)
        return parser

    def fetch(self, parsed_args):
        return self.client.quotas.defaults(parsed_args.project)


class UpdateQuota(base.ResourceShow):
    """Set limits of a project (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_project_argument(parser)
        add_limit_arguments(parser)
        return parser

    def fetch(self, parsed_args):
        return self.client.quotas.update(parsed_args.project,
                                         **limits_of(parsed_args))


class DeleteQuota(base.KarborCommandMixin, command.Command):
    """Remove the limits of a project: it is back to the defaults (admin).
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_project_argument(parser)
        return parser

    def take_action(self, parsed_args):
        self.client.quotas.delete(parsed_args.project)
        return 0


def add_class_argument(parser):
    parser.add_argument('quota_class', metavar='<class>', nargs='?',
                        default='default',
                        help='Quota class name (default: "default", the '
                             'limits of every project without its own).')


class ShowQuotaClass(base.ResourceShow):
    """Show the limits of a quota class."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_class_argument(parser)
        return parser

    def fetch(self, parsed_args):
        return self.client.quota_classes.get(parsed_args.quota_class)


class UpdateQuotaClass(base.ResourceShow):
    """Set limits of a quota class (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_class_argument(parser)
        add_limit_arguments(parser)
        return parser

    def fetch(self, parsed_args):
        return self.client.quota_classes.update(parsed_args.quota_class,
                                                **limits_of(parsed_args))
