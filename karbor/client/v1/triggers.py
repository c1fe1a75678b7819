"""Triggers: when scheduled operations run.

A trigger has one type, ``time``, and ``properties``:

* ``format``: ``crontab`` (a 5-field expression) or ``calendar`` (an
  iCalendar RRULE, optionally with a DTSTART);
* ``pattern``: the expression or the rule;
* ``start_time`` and ``end_time`` (optional): bounds of the occurrences,
  ISO 8601 (``2030-01-31T02:00:00Z``), or without an offset in the
  trigger's timezone; the server stores ``start_time`` (default: now) in
  UTC;
* ``window`` (seconds): how late a due run may still start; the server
  bounds it and fills in its maximum when none is given;
* ``timezone``: the IANA zone the pattern is read in (default UTC).

The server checks what they mean (a pattern that parses, not more often
than its minimum interval) and answers BadRequest (``invalid_trigger``)
naming the problem. A trigger used by a scheduled operation cannot be
deleted (Conflict, ``trigger_in_use``).
"""

import dataclasses
import datetime

from karbor.client import base

TYPE_TIME = 'time'
FORMATS = ('crontab', 'calendar')
PROPERTY_NAMES = ('format', 'pattern', 'start_time', 'end_time', 'window',
                  'timezone')


@dataclasses.dataclass(kw_only=True)
class Trigger(base.Resource):
    id: str = None
    name: str = None
    type: str = None
    properties: dict = None
    project_id: str = None
    created_at: str = None
    updated_at: str = None

    def _property(self, name):
        return (self.properties or {}).get(name)

    @property
    def format(self):
        return self._property('format')

    @property
    def pattern(self):
        return self._property('pattern')

    @property
    def start_time(self):
        return self._property('start_time')

    @property
    def end_time(self):
        return self._property('end_time')

    @property
    def window(self):
        return self._property('window')

    @property
    def timezone(self):
        return self._property('timezone')


def time_value(value):
    """A datetime as ISO 8601 (naive: in the trigger's timezone); other
    values as they are."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def build_properties(properties=None, **values):
    """``properties`` with the given keyword values set on top; None values
    are left out (the server's default applies)."""
    result = dict(properties or {})
    for name, value in values.items():
        if value is not None:
            result[name] = time_value(value)
    return result


class TriggerManager(base.Manager):
    resource_class = Trigger
    collection_path = 'triggers'
    resource_key = 'trigger_info'
    collection_key = 'triggers'
    noun = 'trigger'

    def list(self, *, name=None, type=None, all_tenants=False,
             project_id=None, limit=None, marker=None, sort=None,
             page_size=None, **filters):
        """Iterate triggers lazily; extra ``filters`` go to the query."""
        params = dict(filters, name=name, type=type, all_tenants=all_tenants,
                      project_id=project_id)
        return self._list(params=params, limit=limit, marker=marker,
                          sort=sort, page_size=page_size)

    def get(self, trigger_id):
        return self._get(self._path(trigger_id))

    def find(self, name_or_id):
        """Return the trigger with this id, or the only one with this
        name."""
        return self._find(name_or_id)

    def create(self, name, format=None, pattern=None, *, start_time=None,
               end_time=None, window=None, timezone=None, properties=None,
               type=TYPE_TIME, task_tag=None):
        """Create a trigger.

        ``properties`` may give the properties as a dict (the legacy
        spelling); the keyword arguments are set on top of it.
        ``start_time``/``end_time`` take ISO 8601 strings or datetimes.
        """
        body = {'name': name, 'type': type,
                'properties': build_properties(
                    properties, format=format, pattern=pattern,
                    start_time=start_time, end_time=end_time, window=window,
                    timezone=timezone)}
        return self._create(self.collection_path, {'trigger_info': body},
                            task_tag=task_tag)

    def update(self, trigger_id, *, name=None, format=None, pattern=None,
               start_time=None, end_time=None, window=None, timezone=None,
               properties=None, task_tag=None):
        """Rename a trigger or change some of its properties.

        The properties given are merged over the current ones by the
        server; a property given as None in ``properties`` is removed
        (``properties={'end_time': None}`` lifts the end time). The new
        pattern applies at once to the next run of every enabled operation
        on the trigger.
        """
        body = {}
        if name is not None:
            body['name'] = name
        changes = build_properties(
            properties, format=format, pattern=pattern,
            start_time=start_time, end_time=end_time, window=window,
            timezone=timezone)
        if changes:
            body['properties'] = changes
        return self._update(self._path(trigger_id), {'trigger_info': body},
                            task_tag=task_tag)

    def delete(self, trigger_id, *, task_tag=None):
        """Delete a trigger; Conflict while a scheduled operation uses
        it."""
        self._delete(self._path(trigger_id), task_tag=task_tag)
