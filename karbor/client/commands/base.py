"""Bases shared by every CLI command, for karbor-cli and for OSC.

Commands get their SDK client from ``self.app.client_manager
.data_protection``: OSC's ClientManager provides it through the plugin's
make_client, karbor-cli's shell provides the same attribute.
"""

import json

from osc_lib.command import command

from karbor.client import exceptions
from karbor.client import wait

# Formatters that serialise structures themselves; the others (table,
# value, csv, shell) print a cell with str(), which would give a Python
# repr, so dicts and lists are turned into compact JSON for them.
STRUCTURED_FORMATTERS = frozenset(('json', 'yaml'))


def display_value(value, parsed_args):
    if (isinstance(value, dict | list)
            and getattr(parsed_args, 'formatter', None)
            not in STRUCTURED_FORMATTERS):
        return json.dumps(value, sort_keys=True)
    return value


def parse_json_option(option, text):
    try:
        return json.loads(text)
    except ValueError as exc:
        raise exceptions.CommandError('%s is not valid JSON: %s'
                                      % (option, exc)) from exc


def parse_key_values(option, pairs):
    """['k=v', 'k2=v2'] -> {'k': 'v', 'k2': 'v2'}."""
    result = {}
    for pair in pairs or ():
        key, sep, value = pair.partition('=')
        if not sep or not key:
            raise exceptions.CommandError('%s expects KEY=VALUE, got %r'
                                          % (option, pair))
        result[key] = value
    return result


class KarborCommandMixin:
    @property
    def client(self):
        return self.app.client_manager.data_protection

    def run(self, parsed_args):
        client = self.client
        before = client.http.last_task
        try:
            return super().run(parsed_args)
        except exceptions.ConnectionFailure as exc:
            if exc.task_tag:
                exc.message += ('; to see what became of it, run: %s %s'
                                % (task_find_command(self.app), exc.task_tag))
            raise
        finally:
            note_replay(self.app, before, client.http.last_task)


def task_find_command(app):
    """'karbor-cli task find', or the OSC spelling under openstack."""
    name = getattr(app, 'NAME', None) or 'openstack'
    if name == 'karbor-cli':
        return 'karbor-cli task find'
    return '%s data protection task find' % name


def note_replay(app, before, after):
    """Say on stderr when the answer was a replay: the server recognised the
    Task-Tag of a request it had already run, and did not run it again."""
    if after is None or after is before or not after.replayed:
        return
    app.stderr.write(
        'Task-Tag %s was already used by task %s: this is its answer '
        '(Task-Replayed), the request was not run again.\n'
        % (after.tag, after.task_id))


class ResourceLister(KarborCommandMixin, command.Lister):
    """List command: subclasses set ``columns`` and implement fetch()."""

    # (header, attribute) pairs, in display order.
    columns = ()
    paginated = True

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        if self.paginated:
            add_pagination_arguments(parser)
        return parser

    def fetch(self, parsed_args, list_options):
        raise NotImplementedError

    def take_action(self, parsed_args):
        options = {}
        if self.paginated:
            options = {'limit': parsed_args.limit,
                       'marker': parsed_args.marker,
                       'sort': parsed_args.sort}
        # Materialised here so an error (bad filter, 401) is raised before
        # the formatter has printed anything.
        resources = list(self.fetch(parsed_args, options))
        headers = [header for header, _attr in self.columns]
        rows = [tuple(display_value(getattr(resource, attr, None),
                                    parsed_args)
                      for _header, attr in self.columns)
                for resource in resources]
        return headers, rows


class ResourceShow(KarborCommandMixin, command.ShowOne):
    """Show command: subclasses implement fetch(); all fields are shown."""

    def fetch(self, parsed_args):
        raise NotImplementedError

    def take_action(self, parsed_args):
        return present(self.fetch(parsed_args), parsed_args)


def present(resource, parsed_args):
    """(columns, values) of a resource for a ShowOne."""
    data = resource.to_dict()
    names = tuple(data)
    return names, tuple(display_value(data[name], parsed_args)
                        for name in names)


def delete_each(app, names_or_ids, noun, plural, delete):
    """``delete(name_or_id)`` for each one. One alone raises the server's
    own error, the clearest message; of several, each failure is reported
    and the others are still deleted, then the command fails."""
    if len(names_or_ids) > 1 and getattr(app.options, 'task_tag', None):
        raise exceptions.CommandError(
            '--task-tag names one request; delete one %s at a time' % noun)
    if len(names_or_ids) == 1:
        delete(names_or_ids[0])
        return 0
    failures = 0
    for name_or_id in names_or_ids:
        try:
            delete(name_or_id)
        except exceptions.KarborError as exc:
            failures += 1
            app.stderr.write('Failed to delete %s %s: %s\n'
                             % (noun, name_or_id, exc))
    if failures:
        raise exceptions.CommandError('%d of %d %s could not be deleted'
                                      % (failures, len(names_or_ids),
                                         plural))
    return 0


def add_pagination_arguments(parser):
    parser.add_argument(
        '--limit', type=int, metavar='<n>',
        help='Show at most <n> items (pages are followed as needed).')
    parser.add_argument(
        '--marker', metavar='<id>',
        help='Start after the item with this id (from a previous page).')
    parser.add_argument(
        '--sort', metavar='<key>[:<asc|desc>][,...]',
        help='Sort keys and directions, e.g. name:asc,created_at:desc.')


def add_wait_arguments(parser, default_timeout=3600):
    """--wait / --wait-timeout for commands starting asynchronous work."""
    parser.add_argument(
        '--wait', action='store_true',
        help='Wait until the operation finishes (progress on stderr).')
    parser.add_argument(
        '--wait-timeout', type=float, metavar='<seconds>',
        default=default_timeout,
        help='Give up waiting after this many seconds (default %(default)s).')


def add_project_scope_arguments(parser, noun):
    """--all-projects (alias --all-tenants) and --project, for admins."""
    parser.add_argument('--all-projects', '--all-tenants',
                        dest='all_projects', action='store_true',
                        help='%s of all projects (admin).' % noun)
    parser.add_argument('--project', metavar='<project-id>',
                        help='%s of this project (admin).' % noun)


def project_scope(parsed_args):
    """The SDK's ``all_tenants`` and ``project_id`` for those options."""
    return {'all_tenants': parsed_args.all_projects or
            bool(parsed_args.project), 'project_id': parsed_args.project}


def add_parameter_arguments(parser, kind, schema=None):
    """--parameter (repeatable) and --parameters-json, for the ``kind``
    parameters (restore, verification, copy) that the provider's
    ``<schema>_schema`` checks."""
    parser.add_argument(
        '--parameter', dest='parameters', action='append',
        metavar='<type[#id]=key=value>',
        help='A %s parameter (repeatable); a VALUE that is JSON (a number, '
             'true, "text") is read as JSON, else as a string. Checked '
             'against the provider\'s %s_schema.' % (kind, schema or kind))
    parser.add_argument(
        '--parameters-json', metavar='<json>',
        help='%s parameters as a JSON object keyed by resource type or '
             '"type#id"; --parameter values are set on top.'
             % kind.capitalize())


def wait_if_requested(app, parsed_args, fetch, **kwargs):
    """Run wait.wait_for_status when --wait was given; else return None."""
    if not getattr(parsed_args, 'wait', False):
        return None
    return wait.wait_for_status(fetch, timeout=parsed_args.wait_timeout,
                                stream=app.stderr, **kwargs)
