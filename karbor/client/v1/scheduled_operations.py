"""Scheduled operations: a plan protected (or copied) on a trigger.

An operation has an ``operation_type``:

* ``protect``: a checkpoint of the plan at each occurrence;
* ``retention_protect``: the same, then the oldest checkpoints of the plan
  beyond ``max_backups`` or older than ``retention_duration`` days are
  deleted (zero or less: no limit);
* ``copy``: the plan's checkpoints copied to a copy ``destination`` of the
  provider (default: its first), with optional copy ``parameters``.

Its ``operation_definition`` holds ``provider_id``, ``plan_id`` and those
options. The operation engine runs it at each due time of its trigger; each
occurrence is a **run** (``runs()``) that goes ``claimed`` → ``running`` →
``succeeded`` or ``failed`` (or ``skipped``, with its ``reason``: missed
its window, the previous run still going...). ``next_run_at`` is null while
the operation is disabled or after its trigger's end time.
"""

import dataclasses

from karbor.client import base

TYPES = ('protect', 'retention_protect', 'copy')
RUN_STATES = ('claimed', 'running', 'succeeded', 'failed', 'skipped')
RUN_ENDED = ('succeeded', 'failed', 'skipped')


@dataclasses.dataclass(kw_only=True)
class ScheduledRun(base.Resource):
    """One occurrence of a scheduled operation."""

    id: str = None
    scheduled_operation_id: str = None
    operation_type: str = None
    due_at: str = None
    state: str = None
    checkpoint_id: str = None
    copy_id: str = None
    # The checkpoints a retention_protect run deleted.
    deleted_checkpoints: list = None
    reason: str = None
    attempts: int = None
    started_at: str = None
    finished_at: str = None

    @property
    def finished(self):
        return self.state in RUN_ENDED


@dataclasses.dataclass(kw_only=True)
class ScheduledOperation(base.Resource):
    id: str = None
    name: str = None
    description: str = None
    operation_type: str = None
    trigger_id: str = None
    operation_definition: dict = None
    enabled: bool = None
    project_id: str = None
    user_id: str = None
    next_run_at: str = None
    # The run with the latest due time, as a dict, or None.
    last_run: dict = None
    created_at: str = None
    updated_at: str = None

    @property
    def plan_id(self):
        return (self.operation_definition or {}).get('plan_id')

    @property
    def provider_id(self):
        return (self.operation_definition or {}).get('provider_id')

    @property
    def latest_run(self):
        """``last_run`` as a ScheduledRun, or None."""
        if not self.last_run:
            return None
        return ScheduledRun.from_dict(self.last_run)

    @property
    def last_run_state(self):
        return (self.last_run or {}).get('state')


def _flag(value):
    """A boolean filter as the server reads it (the query encoding drops
    False)."""
    if value is None:
        return None
    return 'true' if value else 'false'


class ScheduledOperationManager(base.Manager):
    resource_class = ScheduledOperation
    collection_path = 'scheduled_operations'
    resource_key = 'scheduled_operation'
    # The envelope of the Karbor v1 API: "operations".
    collection_key = 'operations'

    def list(self, *, name=None, operation_type=None, trigger_id=None,
             plan_id=None, provider_id=None, enabled=None, all_tenants=False,
             project_id=None, limit=None, marker=None, sort=None,
             page_size=None, **filters):
        """Iterate scheduled operations lazily; ``enabled`` True/False
        keeps only the enabled/disabled ones; extra ``filters`` go to the
        query."""
        params = dict(filters, name=name, operation_type=operation_type,
                      trigger_id=trigger_id, plan_id=plan_id,
                      provider_id=provider_id, enabled=_flag(enabled),
                      all_tenants=all_tenants, project_id=project_id)
        return self._list(params=params, limit=limit, marker=marker,
                          sort=sort, page_size=page_size)

    def get(self, operation_id):
        return self._get(self._path(operation_id))

    def find(self, name_or_id):
        """Return the operation with this id, or the only one with this
        name."""
        return self._find(name_or_id)

    def create(self, name, operation_type, trigger_id, provider_id, plan_id,
               *, description=None, max_backups=None,
               retention_duration=None, destination=None, parameters=None,
               enabled=True, operation_definition=None, task_tag=None):
        """Schedule ``operation_type`` of a plan on a trigger.

        ``max_backups`` and ``retention_duration`` (days) are for
        ``retention_protect``, ``destination`` and ``parameters`` for
        ``copy``; ``operation_definition`` adds other keys as they are.
        ``enabled=False`` creates it disabled (no run until enabled).
        """
        definition = dict(operation_definition or {},
                          provider_id=provider_id, plan_id=plan_id)
        for key, value in (('max_backups', max_backups),
                           ('retention_duration', retention_duration),
                           ('destination', destination),
                           ('parameters', parameters)):
            if value is not None:
                definition[key] = value
        body = {'name': name, 'operation_type': operation_type,
                'trigger_id': trigger_id,
                'operation_definition': definition,
                'enabled': bool(enabled)}
        if description is not None:
            body['description'] = description
        return self._create(self.collection_path,
                            {'scheduled_operation': body}, task_tag=task_tag)

    def update(self, operation_id, *, name=None, description=None,
               enabled=None, task_tag=None):
        """Change the given fields only (None means "leave unchanged").

        Enabling schedules the next occurrence after now (runs missed while
        disabled are not caught up); disabling clears ``next_run_at``.
        """
        changes = {'name': name, 'description': description,
                   'enabled': enabled}
        body = {k: v for k, v in changes.items() if v is not None}
        return self._update(self._path(operation_id),
                            {'scheduled_operation': body}, task_tag=task_tag)

    def enable(self, operation_id, *, task_tag=None):
        return self.update(operation_id, enabled=True, task_tag=task_tag)

    def disable(self, operation_id, *, task_tag=None):
        return self.update(operation_id, enabled=False, task_tag=task_tag)

    def delete(self, operation_id, *, task_tag=None):
        """Delete an operation and its run history (a run already started
        goes on)."""
        self._delete(self._path(operation_id), task_tag=task_tag)

    def runs(self, operation_id, *, state=None, limit=None, marker=None,
             sort=None, page_size=None, **filters):
        """Iterate the runs of an operation lazily, newest due time first
        (unless ``sort`` says otherwise); ``state`` is one of
        RUN_STATES."""
        params = dict(filters, state=state)
        return self._list(self._path(operation_id, 'runs'), params=params,
                          limit=limit, marker=marker, sort=sort,
                          page_size=page_size, key='runs',
                          resource_class=ScheduledRun)
