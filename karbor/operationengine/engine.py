"""The operation engine: fires due scheduled runs, follows them to the end.

Any number of engines may run (each karbor-operationengine, and the one
inside karbor-all); they share nothing but the database. Each poll:

1. claims the due runs of enabled operations (a conditional update moves
   each operation's due time forward, so one engine takes each due time)
   and starts them;
2. takes over runs whose holder stopped renewing (a dead engine) and
   follows up running ones: a finished protect ends its run, and a
   retention run then deletes what its policy lets go;
3. now and then forgets old finished runs.

A due time that no engine saw within its trigger's window (every engine was
down) is recorded as a skipped run instead of firing late.
"""

import datetime
import threading
import uuid

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from karbor.common import constants
from karbor.db import scheduled_runs as db_runs
from karbor.db import triggers as db_triggers
from karbor.operationengine import runs
from karbor.operationengine import schedule

CONF = cfg.CONF
C = constants
LOG = logging.getLogger(__name__)

_PRUNE_EVERY = datetime.timedelta(hours=1)
_RETRY_UNREADABLE = datetime.timedelta(hours=1)


def plan_runs(schedule_, due, now):
    """The runs to record for an operation due at ``due``, seen at ``now``.

    Returns (runs, next due time). Occurrences between ``due`` and the
    latest one were missed while no engine ran: they are recorded as one
    skipped run. The latest fires if it is still within the window.
    """
    latest = schedule_.latest_at_or_before(now)
    if latest is None or latest < due:
        latest = due
    planned = []
    if latest > due:
        planned.append({'due_at': due, 'state': C.RUN_SKIPPED,
                        'reason': 'missed: no operation engine was running '
                                  'from %sZ to %sZ' % (
                                      due.isoformat(), latest.isoformat())})
    late = (now - latest).total_seconds()
    if late > schedule_.window:
        planned.append({'due_at': latest, 'state': C.RUN_SKIPPED,
                        'reason': 'missed: seen %d s after its due time, '
                                  'beyond the trigger window of %d s'
                                  % (late, schedule_.window)})
    else:
        planned.append({'due_at': latest, 'state': C.RUN_CLAIMED,
                        'reason': None})
    return planned, schedule_.next_after(now)


class OperationEngine:

    def __init__(self, host):
        # Unique per process: a restarted engine must not mistake the runs
        # of its previous life for its own.
        self.owner = '%s/%s' % (host, uuid.uuid4().hex[:12])
        self.executor = runs.RunExecutor(self.owner)
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread = None
        self._last_prune = None

    # -- lifecycle -----------------------------------------------------
    def start(self):
        self._thread = threading.Thread(target=self._loop,
                                        name='operation-engine',
                                        daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=CONF.operationengine.poll_interval + 5)

    def set_disabled(self, disabled):
        """A disabled engine claims nothing; the others do its share."""
        if disabled:
            self._paused.set()
        else:
            self._paused.clear()

    def _loop(self):
        while not self._stop.is_set():
            if not self._paused.is_set():
                try:
                    self.poll()
                except Exception:
                    # A database outage must not kill the engine.
                    LOG.exception('Operation engine poll failed')
            self._stop.wait(CONF.operationengine.poll_interval)

    # -- one poll ------------------------------------------------------
    def poll(self, now=None):
        now = now or timeutils.utcnow()
        conf = CONF.operationengine
        schedules = {}   # per trigger, for this poll
        for operation in db_runs.due_operations(None, now,
                                                conf.max_runs_per_poll):
            self._claim(operation, now, schedules)
        for run in db_runs.take_over(None, self.owner, conf.lease_seconds,
                                     conf.max_runs_per_poll):
            self.executor.follow(run)
        if self._last_prune is None or now - self._last_prune > _PRUNE_EVERY:
            self._last_prune = now
            removed = db_runs.prune(None, now - datetime.timedelta(
                days=conf.run_history_days))
            if removed:
                LOG.info('Forgot %d finished scheduled runs', removed)

    def _claim(self, operation, now, schedules):
        try:
            schedule_ = schedules.get(operation.trigger_id)
            if schedule_ is None:
                trigger = db_triggers.trigger_get(None, operation.trigger_id)
                schedule_ = schedules[operation.trigger_id] = \
                    schedule.Schedule(trigger.properties)
        except Exception as err:
            # Recorded, and tried again an hour later: an operation whose
            # trigger cannot be read must not stay at the head of the due
            # list, where it would keep the others from being claimed.
            LOG.exception('Scheduled operation %s: its trigger %s cannot be '
                          'read', operation.id, operation.trigger_id)
            planned = [{'due_at': operation.next_run_at,
                        'state': C.RUN_FAILED,
                        'reason': 'its trigger %s cannot be read (%s); '
                                  'tried again in an hour'
                                  % (operation.trigger_id, err)}]
            db_runs.claim(None, operation, operation.next_run_at,
                          now + _RETRY_UNREADABLE, planned, self.owner,
                          CONF.operationengine.lease_seconds)
            return
        planned, next_due = plan_runs(schedule_, operation.next_run_at, now)
        rows = db_runs.claim(None, operation, operation.next_run_at,
                             next_due, planned, self.owner,
                             CONF.operationengine.lease_seconds)
        if rows is None:
            return   # another engine took this due time
        for row in rows:
            if row.state == C.RUN_CLAIMED:
                self.executor.start(row, operation)
            else:
                LOG.warning('Scheduled operation %s: run due at %s %s',
                            operation.id, row.due_at, row.reason)
