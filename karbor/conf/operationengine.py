"""Options of the [operationengine] group: triggers and scheduled runs."""

from oslo_config import cfg

engine_group = cfg.OptGroup('operationengine',
                            title='Operation engine and triggers')

engine_opts = [
    cfg.IntOpt('poll_interval', default=10, min=1,
               help='Seconds between two looks of an engine for due '
                    'scheduled runs and for runs to follow up. A run fires '
                    'at most this late after its due time.'),
    cfg.IntOpt('lease_seconds', default=60, min=5,
               help='How long an engine holds a run it claimed before '
                    'another engine may take it over (the first one died).'),
    cfg.IntOpt('min_interval', default=3600, min=1,
               help='Shortest time in seconds allowed between two '
                    'occurrences of a trigger. Keeps tenants from '
                    'scheduling a protect every minute.'),
    cfg.IntOpt('min_window', default=900, min=1,
               help='Smallest window, in seconds, a trigger may give: how '
                    'late a due run may still start (after an outage of '
                    'every engine) before it is recorded as missed.'),
    cfg.IntOpt('max_window', default=1800, min=1,
               help='Largest window, in seconds, a trigger may give; also '
                    'the window of a trigger that gives none.'),
    cfg.IntOpt('max_runs_per_poll', default=100, min=1,
               help='Due runs one engine claims per poll; the rest wait '
                    'for the next poll or another engine.'),
    cfg.IntOpt('run_history_days', default=90, min=1,
               help='Finished runs older than this are removed from the '
                    'run history (operation logs keep their own record).'),
]


def register_opts(conf):
    conf.register_group(engine_group)
    conf.register_opts(engine_opts, group=engine_group)


def list_opts():
    return {engine_group: engine_opts}
