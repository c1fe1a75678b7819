"""Time triggers: validation of their properties and their occurrences."""

import datetime
import time

import pytest

from karbor.operationengine import schedule
from karbor.operationengine.schedule import InvalidTrigger
from karbor.operationengine.schedule import Schedule
from karbor.operationengine.schedule import normalise

NOW = datetime.datetime(2026, 1, 5, 10, 20, 30, 123456)  # a Monday
HOUR = 3600


def dt(*args, **kwargs):
    return datetime.datetime(*args, **kwargs)


def build(min_interval=HOUR, now=NOW, **properties):
    properties.setdefault('format', 'crontab')
    return Schedule(normalise(properties, now, min_interval, 900, 1800))


def occurrences(sched, after, count):
    found = []
    for _ in range(count):
        after = after and sched.next_after(after)
        found.append(after)
    return found


# Stored form -------------------------------------------------------------
def test_defaults_start_now_in_utc_with_the_largest_window():
    stored = normalise({'format': 'crontab', 'pattern': ' 0  *  * * * '},
                       NOW, HOUR, 900, 1800)
    assert stored == {'format': 'crontab', 'pattern': '0 * * * *',
                      'start_time': '2026-01-05T10:20:30Z', 'end_time': None,
                      'window': 1800, 'timezone': 'UTC'}


@pytest.mark.parametrize('given, stored', [
    ('2026-02-01 03:00:00', '2026-02-01T02:00:00Z'),
    ('2026-02-01T03:00:00', '2026-02-01T02:00:00Z'),
    ('2026-02-01T03:00:00Z', '2026-02-01T03:00:00Z'),
    ('2026-02-01T03:00:00+02:00', '2026-02-01T01:00:00Z'),
])
def test_start_time_formats_naive_ones_in_the_trigger_timezone(given,
                                                                stored):
    properties = {'format': 'crontab', 'pattern': '0 * * * *',
                  'start_time': given, 'timezone': 'Europe/Paris',
                  'window': '900'}
    result = normalise(properties, NOW, HOUR, 900, 1800)
    assert result['start_time'] == stored
    assert result['window'] == 900
    assert result['timezone'] == 'Europe/Paris'


def test_aware_now_is_accepted():
    aware = NOW.replace(tzinfo=datetime.UTC)
    stored = normalise({'format': 'crontab', 'pattern': '0 * * * *'},
                       aware, HOUR, 900, 1800)
    assert stored['start_time'] == '2026-01-05T10:20:30Z'


# Crontab -----------------------------------------------------------------
def test_every_minute_crontab():
    sched = build(min_interval=60, pattern='* * * * *', window=900)
    assert sched.window == 900
    assert sched.next_after(NOW) == dt(2026, 1, 5, 10, 21)
    assert sched.next_after(dt(2026, 1, 5, 10, 21)) == dt(2026, 1, 5, 10, 22)
    assert sched.latest_at_or_before(dt(2026, 1, 5, 10, 21)) == dt(
        2026, 1, 5, 10, 21)
    assert sched.latest_at_or_before(dt(2026, 1, 5, 10, 21, 59)) == dt(
        2026, 1, 5, 10, 21)
    # Not before start_time (10:20:30), whatever the moment asked about.
    assert sched.latest_at_or_before(dt(2026, 1, 5, 10, 20, 50)) is None
    assert sched.next_after(dt(2020, 1, 1)) == dt(2026, 1, 5, 10, 21)


def test_aware_moments_are_converted_to_naive_utc():
    sched = build(pattern='0 * * * *')
    paris = datetime.timezone(datetime.timedelta(hours=1))
    found = sched.next_after(dt(2026, 1, 6, 12, 30, tzinfo=paris))
    assert found == dt(2026, 1, 6, 12) and found.tzinfo is None


def test_start_time_in_the_future_is_the_earliest_run():
    sched = build(pattern='0 * * * *', start_time='2026-03-01 12:00:00')
    assert sched.next_after(NOW) == dt(2026, 3, 1, 12)
    assert sched.latest_at_or_before(dt(2026, 3, 1, 11, 59)) is None
    assert sched.latest_at_or_before(dt(2026, 3, 1, 12)) == dt(2026, 3, 1, 12)


def test_end_time_stops_occurrences():
    sched = build(pattern='0 * * * *', end_time='2026-01-05T13:00:00Z')
    assert occurrences(sched, NOW, 4) == [
        dt(2026, 1, 5, 11), dt(2026, 1, 5, 12), dt(2026, 1, 5, 13), None]
    assert sched.latest_at_or_before(dt(2027, 1, 1)) == dt(2026, 1, 5, 13)


@pytest.mark.parametrize('day, utc_hour', [
    (dt(2026, 1, 15), 1),   # CET, UTC+1
    (dt(2026, 7, 15), 0),   # CEST, UTC+2
])
def test_cron_fields_are_read_in_the_trigger_timezone(day, utc_hour):
    sched = build(pattern='0 2 * * *', timezone='Europe/Paris',
                  min_interval=86400)
    expected = day.replace(hour=utc_hour)
    evening_before = day - datetime.timedelta(minutes=30)
    assert sched.next_after(evening_before) == expected
    assert sched.latest_at_or_before(day.replace(hour=12)) == expected


def test_daily_run_across_dst_changes_fires_once_a_day():
    # The 25 hour day is not "too frequent" and the wall time 02:30, seen
    # twice when clocks go back (croniter gives both), fires once.
    sched = build(pattern='30 2 * * *', timezone='Europe/Paris',
                  start_time='2026-10-20 00:00:00', min_interval=86400)
    assert occurrences(sched, dt(2026, 10, 24), 3) == [
        dt(2026, 10, 24, 0, 30), dt(2026, 10, 25, 0, 30),
        dt(2026, 10, 26, 1, 30)]


def test_repeated_wall_hour_fires_once():
    sched = build(pattern='30 * * * *', timezone='Europe/Paris')
    # 2026-10-25 03:00 CEST is 02:00 CET: 02:30 happens at 00:30 and 01:30.
    assert occurrences(sched, dt(2026, 10, 24, 23, 59), 3) == [
        dt(2026, 10, 25, 0, 30), dt(2026, 10, 25, 2, 30),
        dt(2026, 10, 25, 3, 30)]
    assert sched.latest_at_or_before(dt(2026, 10, 25, 1, 45)) == dt(
        2026, 10, 25, 0, 30)


def test_hourly_calendar_across_spring_forward():
    sched = build(format='calendar', timezone='Europe/Paris',
                  pattern='FREQ=HOURLY;BYMINUTE=30;BYSECOND=0')
    # 2026-03-29 02:00 CET is 03:00 CEST: 02:30 does not exist.
    assert occurrences(sched, dt(2026, 3, 28, 23, 59), 4) == [
        dt(2026, 3, 29, 0, 30), dt(2026, 3, 29, 1, 30),
        dt(2026, 3, 29, 2, 30), dt(2026, 3, 29, 3, 30)]


def test_long_outage_is_cheap_to_cross():
    sched = build(min_interval=60, pattern='* * * * *')
    began = time.monotonic()
    assert sched.latest_at_or_before(dt(2036, 1, 1, 0, 0, 30)) == dt(
        2036, 1, 1)
    assert sched.next_after(dt(2036, 1, 1, 0, 0, 30)) == dt(2036, 1, 1, 0, 1)
    assert time.monotonic() - began < 1


# Calendar ----------------------------------------------------------------
def test_weekly_calendar_starts_at_start_time():
    sched = build(format='calendar', start_time='2026-01-05 02:00:00',
                  pattern='BEGIN:VEVENT\nRRULE:FREQ=WEEKLY;INTERVAL=1;\n'
                          'END:VEVENT')
    assert occurrences(sched, NOW, 2) == [dt(2026, 1, 12, 2),
                                          dt(2026, 1, 19, 2)]
    assert sched.latest_at_or_before(NOW) == dt(2026, 1, 5, 2)


def test_hourly_calendar_with_byminute():
    sched = build(format='calendar',
                  pattern='RRULE:FREQ=HOURLY;BYMINUTE=15;BYSECOND=0')
    assert occurrences(sched, NOW, 2) == [dt(2026, 1, 5, 11, 15),
                                          dt(2026, 1, 5, 12, 15)]
    assert sched.latest_at_or_before(dt(2026, 1, 5, 12, 15)) == dt(
        2026, 1, 5, 12, 15)


def test_literal_backslash_n_is_a_line_break():
    stored = normalise(
        {'format': 'calendar',
         'pattern': r'BEGIN:VEVENT\nRRULE:FREQ=DAILY;BYHOUR=3\nEND:VEVENT'},
        NOW, HOUR, 900, 1800)
    assert stored['pattern'] == ('BEGIN:VEVENT\nRRULE:FREQ=DAILY;BYHOUR=3\n'
                                 'END:VEVENT')
    assert Schedule(stored).next_after(NOW) == dt(2026, 1, 6, 3, 20, 30)


@pytest.mark.parametrize('pattern', ['RRULE:FREQ=DAILY', 'FREQ=DAILY;',
                                     'freq=daily'])
def test_bare_rules(pattern):
    sched = build(format='calendar', pattern=pattern)
    assert sched.next_after(NOW) == dt(2026, 1, 6, 10, 20, 30)


@pytest.mark.parametrize('dtstart, first', [
    ('DTSTART:20250101T060000', dt(2026, 1, 6, 5)),
    ('DTSTART:20250101T060000Z', dt(2026, 1, 6, 6)),
    ('DTSTART;TZID=America/New_York:20250101T060000', dt(2026, 1, 5, 11)),
])
def test_dtstart_in_the_pattern_sets_the_phase(dtstart, first):
    sched = build(format='calendar', timezone='Europe/Paris',
                  pattern=f'{dtstart}\nRRULE:FREQ=DAILY;INTERVAL=1')
    assert sched.next_after(NOW) == first
    # ...but nothing runs before the trigger's own start_time (NOW).
    assert sched.latest_at_or_before(dt(2026, 1, 1)) is None


def test_interval_keeps_its_phase_long_after_dtstart():
    sched = build(format='calendar', min_interval=60,
                  pattern='DTSTART:20260105T000000Z\n'
                          'RRULE:FREQ=MINUTELY;INTERVAL=7')
    moment = dt(2036, 1, 1)
    began = time.monotonic()
    found = sched.latest_at_or_before(moment)
    following = sched.next_after(moment)
    assert time.monotonic() - began < 1
    origin = dt(2026, 1, 5)
    for occurrence in (found, following):
        assert (occurrence - origin).total_seconds() % 420 == 0
    assert found <= moment < following
    assert (following - found).total_seconds() == 420


def test_calendar_until_and_end_time():
    sched = build(format='calendar', pattern='FREQ=DAILY;COUNT=3')
    # The first of the three is start_time itself, which is now.
    assert sched.latest_at_or_before(NOW) == dt(2026, 1, 5, 10, 20, 30)
    assert occurrences(sched, NOW, 3) == [dt(2026, 1, 6, 10, 20, 30),
                                          dt(2026, 1, 7, 10, 20, 30), None]
    sched = build(format='calendar', pattern='FREQ=DAILY',
                  end_time='2026-01-06 12:00:00')
    assert occurrences(sched, NOW, 2) == [dt(2026, 1, 6, 10, 20, 30), None]


# Errors ------------------------------------------------------------------
@pytest.mark.parametrize('properties, message', [
    ({'format': 'cron', 'pattern': '* * * * *'},
     "format must be 'crontab' or 'calendar', not 'cron'"),
    ({'pattern': '* * * * *'}, "format must be"),
    ({'format': 'crontab'}, 'pattern is required'),
    ({'format': 'crontab', 'pattern': '  '}, 'pattern is required'),
    ({'format': 'crontab', 'pattern': '61 * * * *'},
     "pattern '61 * * * *' is not a valid crontab expression: "),
    ({'format': 'crontab', 'pattern': '0 * * * * *'},
     'expected 5 fields'),
    ({'format': 'calendar', 'pattern': 'RRULE:FREQ=SOMETIMES'},
     "pattern 'FREQ=SOMETIMES' is not a valid RRULE: "),
    ({'format': 'calendar', 'pattern': 'RRULE:FREQ'},
     'is not a valid RRULE: expected NAME=VALUE'),
    ({'format': 'calendar', 'pattern': 'RRULE:INTERVAL=2'},
     "pattern 'INTERVAL=2' is not a valid RRULE: FREQ is required"),
    ({'format': 'calendar', 'pattern': 'FREQ=DAILY;INTERVAL=0'},
     'INTERVAL must be a positive whole number'),
    ({'format': 'calendar', 'pattern': 'FREQ=DAILY;UNTIL=20270101'},
     'UNTIL values must be specified in UTC'),
    ({'format': 'calendar', 'pattern': 'FREQ=DAILY\nRRULE:FREQ=WEEKLY'},
     'pattern must contain exactly one RRULE, not 2'),
    ({'format': 'calendar', 'pattern': 'BEGIN:VEVENT\nEND:VEVENT'},
     'pattern must contain exactly one RRULE, not 0'),
    ({'format': 'calendar', 'pattern': 'FREQ=DAILY\nEXDATE:20260107'},
     'EXDATE is not supported'),
    ({'format': 'calendar', 'pattern': 'DTSTART:tomorrow\nFREQ=DAILY'},
     "pattern line 'DTSTART:tomorrow' is not a valid DTSTART"),
    ({'format': 'crontab', 'pattern': '0 * * * *', 'foo': 1, 'bar': 2},
     'unknown properties: bar, foo'),
    ({'format': 'crontab', 'pattern': '0 * * * *', 'window': 60},
     'window must be between 900 and 1800 seconds, not 60'),
    ({'format': 'crontab', 'pattern': '0 * * * *', 'window': '3600'},
     'window must be between 900 and 1800 seconds, not 3600'),
    ({'format': 'crontab', 'pattern': '0 * * * *', 'window': 'soon'},
     "window must be a whole number of seconds, not 'soon'"),
    ({'format': 'crontab', 'pattern': '0 * * * *', 'window': 900.5},
     'window must be a whole number of seconds, not 900.5'),
    ({'format': 'crontab', 'pattern': '0 * * * *', 'window': True},
     'window must be a whole number of seconds'),
    ({'format': 'crontab', 'pattern': '0 * * * *',
      'start_time': '2026-02-01 00:00:00', 'end_time': '2026-01-01'},
     'end_time must be after start_time'),
    ({'format': 'crontab', 'pattern': '* * * * *'},
     'the trigger fires every 60 seconds; the minimum interval is 3600 '
     'seconds'),
    ({'format': 'calendar', 'pattern': 'FREQ=MINUTELY;INTERVAL=30'},
     'the trigger fires every 1800 seconds'),
    ({'format': 'crontab', 'pattern': '0 0 30 2 *'},
     'the trigger never fires'),
    ({'format': 'crontab', 'pattern': '0 3 * * *',
      'end_time': '2026-01-05 23:00:00'}, 'the trigger never fires'),
    ({'format': 'calendar', 'pattern': 'FREQ=DAILY;UNTIL=20250101T000000Z'},
     'the trigger never fires'),
    ({'format': 'calendar', 'pattern': 'FREQ=DAILY;COUNT=2',
      'start_time': '2025-01-01 00:00:00'}, 'the trigger never fires'),
    ({'format': 'crontab', 'pattern': '0 * * * *',
      'timezone': 'Mars/Olympus_Mons'},
     "timezone 'Mars/Olympus_Mons' is not an IANA time zone name"),
    ({'format': 'crontab', 'pattern': '0 * * * *',
      'timezone': '../etc/passwd'}, 'is not an IANA time zone name'),
    ({'format': 'crontab', 'pattern': '0 * * * *',
      'start_time': '31/01/2026'},
     "start_time '31/01/2026' is not a date and time such as"),
    ({'format': 'crontab', 'pattern': '0 * * * *', 'end_time': 'never'},
     "end_time 'never' is not a date and time"),
])
def test_invalid_triggers(properties, message):
    with pytest.raises(InvalidTrigger) as caught:
        normalise(properties, NOW, HOUR, 900, 1800)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_properties_must_be_an_object():
    with pytest.raises(InvalidTrigger, match='must be an object'):
        normalise(['crontab'], NOW, HOUR, 900, 1800)


def test_frequency_check_is_bounded():
    # A yearly rule checks one year; a minutely one 100 occurrences.
    assert schedule.CHECKED_OCCURRENCES == 100
    build(format='calendar', pattern='FREQ=YEARLY', min_interval=HOUR)
