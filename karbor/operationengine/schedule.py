"""When a time trigger fires: validation and occurrences, without I/O.

A trigger is a 5-field ``crontab`` expression (croniter) or a ``calendar``
RRULE (dateutil), read in the trigger's IANA timezone so that "02:00" stays
02:00 on the wall clock across DST changes.

Every datetime that leaves :class:`Schedule` is *naive UTC*, the convention
of the database and of ``oslo_utils.timeutils.utcnow()``; aware datetimes
are accepted too.  Stored times are ISO 8601 UTC: ``YYYY-MM-DDTHH:MM:SSZ``.
"""

import datetime
import json
import os
import re
import subprocess
import sys
import threading
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from croniter import CroniterBadDateError
from croniter import croniter
from dateutil import rrule

UTC = datetime.UTC
KNOWN = ('format', 'pattern', 'start_time', 'end_time', 'window', 'timezone')
STORED_TIME = '%Y-%m-%dT%H:%M:%SZ'
TICK = datetime.timedelta(microseconds=1)
# The frequency check looks this far ahead: enough to catch a rule that is
# too frequent, cheap enough to run on every API call.
CHECKED_OCCURRENCES = 100
CHECKED_SPAN = datetime.timedelta(days=365)
# Lines that change the occurrences and that we do not model; the other
# iCalendar properties (SUMMARY, UID...) are harmless and ignored.
UNSUPPORTED_LINES = ('RDATE', 'EXDATE', 'EXRULE')
# Fixed-length periods, in wall-clock seconds (see Schedule._anchored).
PERIODS = {'WEEKLY': 604800, 'DAILY': 86400, 'HOURLY': 3600,
           'MINUTELY': 60, 'SECONDLY': 1}


class InvalidTrigger(ValueError):
    """The trigger properties are unusable; the message is for the user."""


def _utc_naive(moment):
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _parse_time(name, value, tz):
    """A client time (legacy, ISO or ISO with offset) as an aware datetime."""
    try:
        moment = datetime.datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidTrigger(
            f"{name} '{value}' is not a date and time such as "
            f"'2030-01-31 02:00:00' or '2030-01-31T02:00:00Z'") from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _parse_timezone(value):
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidTrigger(f"timezone '{value}' is not an IANA time zone "
                             f"name such as 'Europe/Paris'") from None


def _parse_window(value, min_window, max_window):
    if value is None:
        return max_window
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidTrigger(
            f'window must be a whole number of seconds, not {value!r}')
    if not min_window <= value <= max_window:
        raise InvalidTrigger(f'window must be between {min_window} and '
                             f'{max_window} seconds, not {value}')
    return value


def _calendar_lines(pattern):
    """Pattern lines; a shell-typed "\\n" (two characters) is a break."""
    text = pattern.replace('\\r', '').replace('\\n', '\n')
    return [line.strip() for line in text.splitlines() if line.strip()]


def _parse_dtstart(line, tz):
    head, _, value = line.partition(':')
    value = value.strip().upper()
    params = dict(p.split('=', 1) for p in head.split(';')[1:] if '=' in p)
    for fmt in ('%Y%m%dT%H%M%SZ', '%Y%m%dT%H%M%S', '%Y%m%d'):
        try:
            moment = datetime.datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    else:
        raise InvalidTrigger(f"pattern line '{line}' is not a valid DTSTART")
    zone = UTC if value.endswith('Z') else tz
    if 'TZID' in params:
        zone = _parse_timezone(params['TZID'])
    return moment.replace(tzinfo=zone).astimezone(tz)


def _parse_calendar(pattern, tz, start):
    """(rrule, its RRULE text, its DTSTART) for an iCalendar-ish pattern."""
    rules, dtstart = [], start.astimezone(tz)
    for line in _calendar_lines(pattern):
        name = re.split('[:;]', line, maxsplit=1)[0].upper()
        if name == 'RRULE':
            rules.append(line.partition(':')[2])
        elif name.startswith('FREQ='):
            rules.append(line)
        elif name == 'DTSTART':
            dtstart = _parse_dtstart(line, tz)
        elif name in UNSUPPORTED_LINES:
            raise InvalidTrigger(f'pattern: {name} is not supported, only '
                                 f'DTSTART and one RRULE')
    if len(rules) != 1:
        raise InvalidTrigger(f'pattern must contain exactly one RRULE, '
                             f'not {len(rules)}')
    # rrulestr chokes on the trailing ";" that clients often send.
    parts = [p.strip() for p in rules[0].split(';') if p.strip()]
    try:
        if any('=' not in part for part in parts):
            raise ValueError("expected NAME=VALUE parts separated by ';'")
        text = ';'.join(parts).upper()
        fields = dict(part.split('=', 1) for part in text.split(';'))
        if 'FREQ' not in fields:
            raise ValueError('FREQ is required')
        # dateutil loops forever on INTERVAL=0.
        if not fields.get('INTERVAL', '1').isdigit() or int(
                fields.get('INTERVAL', '1')) < 1:
            raise ValueError('INTERVAL must be a positive whole number')
        return rrule.rrulestr(text, dtstart=dtstart), text, dtstart
    except (ValueError, TypeError) as error:
        raise InvalidTrigger(f"pattern '{rules[0]}' is not a valid RRULE: "
                             f"{error}") from None


def _parse_cron(pattern, tz):
    expression = ' '.join(pattern.split())
    try:
        if len(expression.split()) != 5:
            raise ValueError('expected 5 fields: minute hour day-of-month '
                             'month day-of-week')
        croniter(expression, datetime.datetime.now(tz))
    except (ValueError, KeyError) as error:
        raise InvalidTrigger(f"pattern '{pattern}' is not a valid crontab "
                             f"expression: {error}") from None
    return expression


def _anchor_period(text):
    """Wall-clock seconds between two rule periods; None: cannot re-anchor.

    Months and years vary in length, and COUNT ties the occurrences to the
    true DTSTART: such rules are walked from DTSTART (they are sparse).
    """
    freq = re.search(r'FREQ=(\w+)', text).group(1)
    interval = re.search(r'INTERVAL=(\d+)', text)
    if 'COUNT=' in text or freq not in PERIODS:
        return None
    return PERIODS[freq] * int(interval.group(1) if interval else 1)


class Schedule:
    """Occurrences of a normalised trigger (see :func:`normalise`).

    start_time and end_time (naive UTC) both bound occurrences inclusively.
    """

    def __init__(self, properties):
        self.format = properties['format']
        self.pattern = properties['pattern']
        self.window = int(properties['window'])
        self.tz = ZoneInfo(properties.get('timezone') or 'UTC')
        self.start_time = _stored(properties['start_time'])
        self.end_time = _stored(properties.get('end_time'))
        if self.format == 'calendar':
            self._rule, text, self._dtstart = _parse_calendar(
                self.pattern, self.tz, self.start_time.replace(tzinfo=UTC))
            self._period = _anchor_period(text)

    def _anchored(self, local):
        """The rule restarted a whole number of periods before ``local``.

        dateutil walks every occurrence from DTSTART, so a minutely rule
        years later would take seconds.  A DTSTART moved by whole periods
        keeps every later occurrence (same phase, same inherited BYxxx).
        """
        if not self._period:
            return self._rule
        naive = self._dtstart.replace(tzinfo=None)
        elapsed = (local.replace(tzinfo=None) - naive).total_seconds()
        periods = int(elapsed // self._period) - 1
        if periods <= 0:
            return self._rule
        shift = datetime.timedelta(seconds=periods * self._period)
        return self._rule.replace(dtstart=self._dtstart + shift)

    def _cron(self, local, backwards=False):
        iterator = croniter(self.pattern, local)
        try:
            if backwards:
                return iterator.get_prev(datetime.datetime)
            return iterator.get_next(datetime.datetime)
        except CroniterBadDateError:  # e.g. "0 0 30 2 *"
            return None

    def _at_or_before(self, local):
        if self.format == 'calendar':
            found = self._anchored(local).before(local, inc=True)
            return found or self._rule.before(local, inc=True)
        found = self._cron(local, backwards=True)
        # get_prev is strict when ``local`` is itself an occurrence.
        following = found and self._cron(found)
        if following and following <= local:
            found = following
        while found and _repeated(found):
            found = self._cron(found, backwards=True)
        return found

    def _after(self, moment):
        """First occurrence strictly after naive-UTC ``moment``, local."""
        found = moment.replace(tzinfo=UTC).astimezone(self.tz)
        while True:
            if self.format == 'calendar':
                found = self._anchored(found).after(found)
            else:
                found = self._cron(found)
            # Around DST changes rrule can give an instant twice (a wall
            # time in the gap is the hour after's) and croniter a wall time
            # twice (clock set back): each fires once only.
            if found is None or (_utc_naive(found) > moment
                                 and not _repeated(found)):
                return found

    def next_after(self, moment):
        """First occurrence strictly after ``moment``, naive UTC or None."""
        moment = max(_utc_naive(moment), self.start_time - TICK)
        found = _utc_naive(self._after(moment))
        if found is None or (self.end_time and found > self.end_time):
            return None
        return found

    def latest_at_or_before(self, moment):
        """Most recent occurrence <= ``moment``, naive UTC or None."""
        moment = _utc_naive(moment)
        moment = min(moment, self.end_time or datetime.datetime.max)
        if moment < self.start_time:
            return None
        local = moment.replace(tzinfo=UTC).astimezone(self.tz)
        found = _utc_naive(self._at_or_before(local))
        return found if found and found >= self.start_time else None

    def _check(self, now, min_interval):
        """Refuse a trigger that never fires again or fires too often."""
        first = self.next_after(_utc_naive(now) - TICK)
        if first is None:
            until = ' and its end_time' if self.end_time else ''
            raise InvalidTrigger(f'the trigger never fires: the pattern has '
                                 f'no occurrence between now (or a later '
                                 f'start_time){until}')
        limit = min(self.end_time or datetime.datetime.max,
                    first + CHECKED_SPAN)
        occurrence = first.replace(tzinfo=UTC).astimezone(self.tz)
        offsets = [occurrence.utcoffset()]
        for _ in range(CHECKED_OCCURRENCES):
            following = self._after(_utc_naive(occurrence))
            if following is None or _utc_naive(following) > limit:
                return
            # A DST change shortens a day (croniter even moves a wall time
            # in the gap to the next hour, shortening the day after): not
            # the tenant's doing, so forgive the shift.
            offsets = (offsets + [following.utcoffset()])[-3:]
            shift = max(offsets) - min(offsets)
            gap = int((following - occurrence + shift).total_seconds())
            if gap < min_interval:
                raise InvalidTrigger(
                    f'the trigger fires every {gap} seconds; the minimum '
                    f'interval is {min_interval} seconds')
            occurrence = following


def _repeated(moment):
    """Whether ``moment`` is a wall time seen again after a clock set back.

    zoneinfo tells the two passes apart by ``fold``; cron fields match wall
    times, so the first pass was an occurrence already.
    """
    return _utc_naive(moment.replace(fold=0)) < _utc_naive(moment)


def _stored(value):
    if value is None:
        return None
    return datetime.datetime.strptime(value, STORED_TIME)


def _stored_form(moment):
    return moment and moment.strftime(STORED_TIME)


def normalise(properties, now, min_interval, min_window, max_window):
    """Validate client trigger properties and return their stored form.

    ``now`` (naive UTC or aware) is the default start_time.  Raises
    InvalidTrigger, whose message names the property at fault.
    """
    if not isinstance(properties, dict):
        raise InvalidTrigger('trigger properties must be an object')
    unknown = sorted(set(properties) - set(KNOWN))
    if unknown:
        raise InvalidTrigger(f"unknown properties: {', '.join(unknown)}")
    fmt = properties.get('format')
    if fmt not in ('crontab', 'calendar'):
        raise InvalidTrigger(
            f"format must be 'crontab' or 'calendar', not {fmt!r}")
    pattern = properties.get('pattern')
    if not isinstance(pattern, str) or not pattern.strip():
        raise InvalidTrigger('pattern is required: a crontab expression or '
                             'an iCalendar RRULE')
    tz_name = str(properties.get('timezone') or 'UTC')
    tz = _parse_timezone(tz_name)
    start, end = now, properties.get('end_time')
    if properties.get('start_time') is not None:
        start = _parse_time('start_time', properties['start_time'], tz)
    start = _utc_naive(start).replace(microsecond=0)
    if end is not None:
        end = _utc_naive(_parse_time('end_time', end, tz))
        if end <= start:
            raise InvalidTrigger('end_time must be after start_time')
    if fmt == 'crontab':
        pattern = _parse_cron(pattern, tz)
    else:
        pattern = '\n'.join(_calendar_lines(pattern))
        _parse_calendar(pattern, tz, start.replace(tzinfo=UTC))
    stored = {
        'format': fmt, 'pattern': pattern,
        'start_time': _stored_form(start),
        'end_time': _stored_form(end and end.replace(microsecond=0)),
        'window': _parse_window(properties.get('window'), min_window,
                                max_window),
        'timezone': tz_name,
    }
    if fmt == 'calendar':
        _check_calendar_apart(stored, now, min_interval)
    else:
        Schedule(stored)._check(now, min_interval)
    return stored


# dateutil searches up to the year 9999 for a rule that never matches
# (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 takes 15 s of CPU) and cannot be
# interrupted, so a calendar rule is first checked in a child process that
# is killed past this budget; a few at a time per process.
CALENDAR_CHECK_SECONDS = 3
_CALENDAR_CHECKS = threading.BoundedSemaphore(2)


def _python():
    """This environment's interpreter; under a WSGI server embedding Python
    (uwsgi, mod_wsgi) ``sys.executable`` is the server, not Python."""
    if os.path.basename(sys.executable or '').startswith('python'):
        return sys.executable
    return os.path.join(sys.prefix, 'bin', 'python3')


def _check_calendar_apart(stored, now, min_interval):
    request = json.dumps({'properties': stored, 'min_interval': min_interval,
                          'now': _utc_naive(now).isoformat()})
    with _CALENDAR_CHECKS:
        try:
            result = subprocess.run(
                [_python(), '-m', __name__], input=request,
                capture_output=True, text=True,
                timeout=CALENDAR_CHECK_SECONDS, check=True)
        except subprocess.TimeoutExpired:
            raise InvalidTrigger(
                'pattern: no occurrence found within %d seconds of search; '
                'the rule never (or very rarely) matches'
                % CALENDAR_CHECK_SECONDS) from None
    error = json.loads(result.stdout).get('error')
    if error:
        raise InvalidTrigger(error)


def _check_request(stream):
    """The child side of _check_calendar_apart: one JSON request in, one
    JSON answer out."""
    request = json.load(stream)
    try:
        Schedule(request['properties'])._check(
            datetime.datetime.fromisoformat(request['now']),
            request['min_interval'])
    except InvalidTrigger as err:
        return {'error': str(err)}
    return {}


if __name__ == '__main__':
    print(json.dumps(_check_request(sys.stdin)))  # noqa: T201
