"""karbor-manage: administration of a Karbor deployment.

    karbor-manage db sync [--revision REV]
    karbor-manage db version
"""

import sys

from oslo_config import cfg

from karbor.common import config
from karbor.db import migration

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


def _add_parsers(subparsers):
    _add_db_parsers(subparsers)


command_opt = cfg.SubCommandOpt('command', title='Commands',
                                handler=_add_parsers,
                                help='Available commands')


def main():
    CONF.register_cli_opt(command_opt)
    config.parse_args(sys.argv)
    try:
        CONF.command.func()
    except Exception as err:  # one line for the operator, not a traceback
        print('karbor-manage: %s' % err, file=sys.stderr)  # noqa: T201
        return 1
    return 0
