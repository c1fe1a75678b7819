"""karbor-manage: administration of a Karbor deployment.

    karbor-manage db sync [--revision REV]
    karbor-manage db version
    karbor-manage operation-log purge --before DATE [--batch-size N]
    karbor-manage task purge
    karbor-manage bank import --provider ID [--destination NAME]
                              [--project ID] [--dry-run]
"""

import sys

from oslo_config import cfg
from oslo_utils import timeutils

from karbor import context
from karbor.common import config
from karbor.db import migration
from karbor.db import operation_logs as db_operation_logs
from karbor.db import tasks as db_tasks
from karbor.protection import bank_import
from karbor.protection import providers

CONF = cfg.CONF


class DbCommands:

    @staticmethod
    def sync():
        migration.db_sync(CONF.command.revision)
        print('Database is at revision %s' % migration.db_version())  # noqa

    @staticmethod
    def version():
        print(migration.db_version() or 'None')  # noqa: T201


def _add_db_parsers(subparsers):
    db = subparsers.add_parser('db', help='Database schema.')
    db_actions = db.add_subparsers(dest='action')
    db_actions.required = True
    sync = db_actions.add_parser('sync', help='Upgrade the schema.')
    sync.add_argument('--revision', default='head',
                      help='Revision to upgrade to (default: the newest).')
    sync.set_defaults(func=DbCommands.sync)
    version = db_actions.add_parser('version',
                                    help='Show the schema revision.')
    version.set_defaults(func=DbCommands.version)


class OperationLogCommands:

    @staticmethod
    def purge():
        before = _parse_time(CONF.command.before)
        count = db_operation_logs.purge(context.get_admin_context(), before,
                                        CONF.command.batch_size)
        print('Purged %d operation logs that ended before %s'  # noqa: T201
              % (count, before.isoformat()))


def _parse_time(value):
    try:
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    except ValueError:
        raise ValueError('--before must be an ISO 8601 date or time, not %r'
                         % value) from None


def _add_operation_log_parsers(subparsers):
    logs = subparsers.add_parser('operation-log', help='Operation logs.')
    actions = logs.add_subparsers(dest='action')
    actions.required = True
    purge = actions.add_parser(
        'purge', help='Delete finished operation logs that ended before a '
                      'date, in batches.')
    purge.add_argument('--before', required=True,
                       help='ISO 8601 date or time, e.g. 2026-01-01.')
    purge.add_argument('--batch-size', type=int, default=None,
                       help='Rows per transaction (default: [operation_log] '
                            'purge_batch_size).')
    purge.set_defaults(func=OperationLogCommands.purge)


class TaskCommands:

    @staticmethod
    def purge():
        count = db_tasks.purge_expired(context.get_admin_context())
        print('Purged %d expired tasks' % count)  # noqa: T201


def _add_task_parsers(subparsers):
    tasks = subparsers.add_parser('task', help='Tasks (tagged requests).')
    actions = tasks.add_subparsers(dest='action')
    actions.required = True
    purge = actions.add_parser(
        'purge', help='Delete tasks whose tag window ([task] tag_ttl_hours) '
                      'has passed.')
    purge.set_defaults(func=TaskCommands.purge)


class BankCommands:

    @staticmethod
    def import_():
        args = CONF.command
        provider = providers.registry().get(args.provider)
        report = bank_import.import_bank(
            context.get_admin_context(), provider,
            destination=args.destination, project_id=args.project,
            dry_run=args.dry_run)
        where = ('copy destination %s' % args.destination
                 if args.destination else 'main bank')
        verb = 'Would import' if args.dry_run else 'Imported'
        print('%s %d checkpoints from the %s of provider %s; %d were '  # noqa
              'already indexed, %d skipped'
              % (verb, len(report.imported), where, provider.id,
                 len(report.already_indexed), len(report.skipped)))
        for checkpoint_id, reason in sorted(report.skipped.items()):
            print('  skipped %s: %s' % (checkpoint_id, reason))  # noqa


def _add_bank_parsers(subparsers):
    bank = subparsers.add_parser('bank', help='Provider banks.')
    actions = bank.add_subparsers(dest='action')
    actions.required = True
    imports = actions.add_parser(
        'import', help='Index the available checkpoints a bank holds (a '
                       'bank copied by other means, or a copy destination '
                       'after the loss of the main bank); checkpoints '
                       'already indexed are left alone.')
    imports.add_argument('--provider', required=True,
                         help='The provider whose bank is read.')
    imports.add_argument('--destination', default=None,
                         help='Read this copy destination of the provider '
                              'instead of its main bank.')
    imports.add_argument('--project', default=None,
                         help='Import into this project instead of the one '
                              'that took each checkpoint.')
    imports.add_argument('--dry-run', action='store_true',
                         help='Only say what would be imported.')
    imports.set_defaults(func=BankCommands.import_)


def _add_parsers(subparsers):
    _add_db_parsers(subparsers)
    _add_operation_log_parsers(subparsers)
    _add_task_parsers(subparsers)
    _add_bank_parsers(subparsers)


command_opt = cfg.SubCommandOpt('command', title='Commands',
                                handler=_add_parsers,
                                help='Available commands')


def main():
    CONF.register_cli_opt(command_opt)
    config.parse_args(sys.argv, tool=True)
    try:
        CONF.command.func()
    except Exception as err:  # one line for the operator, not a traceback
        print('karbor-manage: %s' % err, file=sys.stderr)  # noqa: T201
        return 1
    return 0
