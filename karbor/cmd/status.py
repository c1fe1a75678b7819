"""karbor-status: checks an operator runs before and after an upgrade.

    karbor-status upgrade check
"""

import sys

from oslo_config import cfg

from karbor.common import config
from karbor.db import migration
from karbor.protection import providers

CONF = cfg.CONF


def _check_schema():
    current, head = migration.db_version(), migration.head_revision()
    if current != head:
        return False, ('database schema is at %s, the code needs %s: run '
                       '"karbor-manage db sync"' % (current, head))
    return True, 'database schema is at %s' % current


def _check_providers():
    loaded = providers.registry().list()
    if not loaded:
        return False, 'no provider is defined'
    return True, '%d provider(s): %s' % (
        len(loaded), ', '.join(p.name for p in loaded))


def _check_operation_engine():
    import sqlalchemy as sa

    from karbor import context
    from karbor import objects
    from karbor.common import constants
    from karbor.db import models
    from karbor.db import session as db_session
    with db_session.reader() as session:
        enabled = session.execute(
            sa.select(sa.func.count()).select_from(models.ScheduledOperation)
            .where(models.ScheduledOperation.enabled.is_(True))
        ).scalar_one()
    engines = objects.Service.list(context.get_admin_context(),
                                   binary=constants.BINARY_OPERATION_ENGINE)
    up = [e for e in engines if e.state == constants.SERVICE_STATE_UP
          and not e.disabled]
    detail = '%d enabled scheduled operation(s), %d operation engine(s) ' \
             'up' % (enabled, len(up))
    if enabled and not up:
        return False, detail + ': start karbor-operationengine, or nothing ' \
            'scheduled runs'
    return True, detail


CHECKS = (('Database schema', _check_schema),
          ('Providers', _check_providers),
          ('Operation engine', _check_operation_engine))


def _add_parsers(subparsers):
    upgrade = subparsers.add_parser('upgrade', help='Upgrade checks.')
    actions = upgrade.add_subparsers(dest='action')
    actions.required = True
    actions.add_parser('check', help='Check that this deployment can run '
                                     'the installed code.')


command_opt = cfg.SubCommandOpt('command', title='Commands',
                                handler=_add_parsers)


def main():
    CONF.register_cli_opt(command_opt)
    config.parse_args(sys.argv, tool=True)
    failed = False
    for title, check in CHECKS:
        try:
            ok, detail = check()
        except Exception as err:
            ok, detail = False, str(err)
        failed = failed or not ok
        print('%-16s %s  %s' % (title, 'OK  ' if ok else 'FAIL',  # noqa
                                detail))
    return 1 if failed else 0
