"""Which checkpoints a retention policy lets go, and which runs a poll
records: pure decisions of the operation engine."""

import dataclasses
import datetime

from karbor.operationengine import engine
from karbor.operationengine import retention
from karbor.operationengine import schedule

NOW = datetime.datetime(2026, 6, 1, 12, 0, 0)
DAY = datetime.timedelta(days=1)


@dataclasses.dataclass
class Checkpoint:
    id: str
    status: str
    created_at: datetime.datetime


def history(*statuses, step=DAY):
    """Checkpoints c0 (oldest) .. cN (newest), one per ``step``."""
    return [Checkpoint('c%d' % i, status,
                       NOW - (len(statuses) - 1 - i) * step)
            for i, status in enumerate(statuses)]


def ids(checkpoints):
    return [c.id for c in checkpoints]


def test_max_backups_keeps_the_newest():
    checkpoints = history(*['available'] * 5)
    assert ids(retention.beyond_policy(checkpoints, 3, 0, NOW)) == [
        'c0', 'c1']


def test_zero_or_negative_means_unlimited():
    checkpoints = history(*['available'] * 5)
    assert retention.beyond_policy(checkpoints, 0, -1, NOW) == []
    assert retention.beyond_policy(checkpoints, None, None, NOW) == []


def test_retention_duration_lets_old_ones_go_but_never_the_newest():
    checkpoints = history(*['available'] * 5)      # 4..0 days old
    assert ids(retention.beyond_policy(checkpoints, 0, 2, NOW)) == [
        'c0', 'c1']
    old = history('available', 'available', step=10 * DAY)
    assert ids(retention.beyond_policy(old, 0, 1, NOW + 30 * DAY)) == [
        'c0']


def test_errors_before_a_later_success_go_errors_after_it_stay():
    checkpoints = history('available', 'error', 'available', 'error')
    assert ids(retention.beyond_policy(checkpoints, 5, 0, NOW)) == ['c1']


def test_nothing_goes_while_no_checkpoint_is_available():
    checkpoints = history('error', 'error', 'error')
    assert retention.beyond_policy(checkpoints, 1, 1, NOW) == []


def test_checkpoints_on_their_way_out_are_not_counted():
    checkpoints = history('deleting', 'available', 'available', 'protecting')
    assert retention.beyond_policy(checkpoints, 2, 0, NOW) == []


HOURLY = schedule.Schedule(schedule.normalise(
    {'format': 'crontab', 'pattern': '0 * * * *',
     'start_time': '2026-01-01 00:00:00', 'window': 900},
    NOW, 3600, 900, 1800))
HOUR = datetime.timedelta(hours=1)


def test_plan_runs_on_time():
    due = NOW
    planned, next_due = engine.plan_runs(HOURLY, due, NOW + datetime.
                                         timedelta(seconds=3))
    assert [(p['due_at'], p['state']) for p in planned] == [
        (due, 'claimed')]
    assert next_due == NOW + HOUR


def test_plan_runs_late_within_and_beyond_the_window():
    planned, _ = engine.plan_runs(HOURLY, NOW, NOW + datetime.timedelta(
        minutes=14))
    assert [p['state'] for p in planned] == ['claimed']
    planned, next_due = engine.plan_runs(HOURLY, NOW, NOW + datetime.
                                         timedelta(minutes=16))
    assert [p['state'] for p in planned] == ['skipped']
    assert 'window' in planned[0]['reason']
    assert next_due == NOW + HOUR


def test_plan_runs_after_an_outage_fires_only_the_latest():
    seen = NOW + 5 * HOUR + datetime.timedelta(minutes=3)
    planned, next_due = engine.plan_runs(HOURLY, NOW, seen)
    assert [(p['due_at'], p['state']) for p in planned] == [
        (NOW, 'skipped'), (NOW + 5 * HOUR, 'claimed')]
    assert 'no operation engine' in planned[0]['reason']
    assert next_due == NOW + 6 * HOUR
