"""Tasks: what became of each POST, PUT and DELETE of the project.

Every mutating request is a task, found by its id (the ``Task-Id`` answer
header) or by the ``Task-Tag`` the client sent with it (the SDK sends one
with every mutating call). Its state follows the operation it started:
``accepted`` -> ``running`` -> ``succeeded`` | ``failed`` (with ``error``);
synchronous requests are ``succeeded`` at once. Tasks are read only and
kept for the server's ``[task] tag_ttl_hours`` (24 by default).
"""

import dataclasses

from karbor.client import base

STATES = ('accepted', 'running', 'succeeded', 'failed')
FINAL_STATES = ('succeeded', 'failed')
ACTIONS = ('plan-create', 'plan-update', 'plan-delete', 'checkpoint-create',
           'checkpoint-delete', 'checkpoint-reset-state', 'restore-create',
           'copy-create', 'verification-create', 'service-update',
           'trigger-create', 'trigger-update', 'trigger-delete',
           'scheduled-operation-create', 'scheduled-operation-update',
           'scheduled-operation-delete')
RESOURCE_TYPES = ('plan', 'checkpoint', 'restore', 'copy', 'verification',
                  'service', 'trigger', 'scheduled_operation')


@dataclasses.dataclass(kw_only=True)
class Task(base.Resource):
    id: str = None
    uuid: str = None
    tag: str = None
    task: str = None          # the action, e.g. plan-create
    state: str = None
    resource: dict = None     # {type: id}, empty when none is known
    request_id: str = None
    user_id: str = None
    project_id: str = None
    start_time: str = None
    last_updated: str = None
    expires_at: str = None
    response_status: int = None
    error: str = None

    @property
    def finished(self):
        return self.state in FINAL_STATES

    @property
    def resource_type(self):
        return next(iter(self.resource), None) if self.resource else None

    @property
    def resource_id(self):
        return next(iter(self.resource.values()), None) \
            if self.resource else None

    @property
    def resource_ref(self):
        """``'<type>:<id>'`` (what the ``resource`` filter takes), or None."""
        if not self.resource:
            return None
        return '%s:%s' % (self.resource_type, self.resource_id)


def resource_filter(resource):
    """``'plan:<id>'`` or ``('plan', '<id>')`` -> ``'plan:<id>'``."""
    if resource is None or isinstance(resource, str):
        return resource
    kind, resource_id = resource
    return '%s:%s' % (kind, resource_id)


def state_filter(state=None, states=None):
    """``state`` (one) or ``states`` (several, sent as ``in:a,b``)."""
    if state is not None and states:
        raise ValueError('give state or states, not both')
    if states:
        if isinstance(states, str):
            states = [s for s in states.split(',') if s]
        return 'in:' + ','.join(states)
    return state


class TaskManager(base.Manager):
    resource_class = Task
    collection_path = 'tasks'
    resource_key = 'task'
    collection_key = 'tasks'

    def list(self, *, tag=None, state=None, states=None, action=None,
             resource=None, since=None, until=None, limit=None, marker=None,
             sort=None, page_size=None, **filters):
        """Iterate the project's tasks lazily.

        ``states`` (a list or ``'a,b'``) is sent as ``state=in:a,b``;
        ``resource`` is ``'plan:<id>'`` or a ``(type, id)`` pair; ``since``
        (inclusive) and ``until`` (exclusive) bound the start time and take
        ISO 8601 strings or ``datetime`` objects. Sort keys: created_at,
        id, updated_at. The server refuses unknown filters and malformed
        values with BadRequest.
        """
        params = dict(filters, tag=tag, state=state_filter(state, states),
                      action=action, resource=resource_filter(resource),
                      since=_isoformat(since), until=_isoformat(until))
        return self._list(params=params, limit=limit, marker=marker,
                          sort=sort, page_size=page_size)

    def get(self, task_id):
        """One task of the project (NotFound: ``task_not_found``)."""
        return self._get(self._path(task_id))

    def find(self, tag):
        """The task of a Task-Tag, or None when the project has none (never
        sent, refused before it changed anything, or expired)."""
        matches = list(self.list(tag=tag, limit=1))
        return matches[0] if matches else None

    def list_for_plan(self, plan_id, **kwargs):
        """The tasks of a plan (``/plans/{plan_id}/tasks``)."""
        return self._resource_tasks(('plans', plan_id), kwargs)

    def list_for_checkpoint(self, provider_id, checkpoint_id, **kwargs):
        """The tasks of a checkpoint."""
        return self._resource_tasks(
            ('providers', provider_id, 'checkpoints', checkpoint_id), kwargs)

    def list_for_restore(self, restore_id, **kwargs):
        """The tasks of a restore (``/restores/{restore_id}/tasks``)."""
        return self._resource_tasks(('restores', restore_id), kwargs)

    def list_for_verification(self, verification_id, **kwargs):
        """The tasks of a verification
        (``/verifications/{verification_id}/tasks``)."""
        return self._resource_tasks(('verifications', verification_id),
                                    kwargs)

    def _resource_tasks(self, segments, kwargs):
        path = '/'.join(base.quote_segment(s) for s in segments) + '/tasks'
        params = dict(kwargs)
        paging = {name: params.pop(name, None)
                  for name in ('limit', 'marker', 'sort', 'page_size')}
        params['state'] = state_filter(params.pop('state', None),
                                       params.pop('states', None))
        for name in ('since', 'until'):
            params[name] = _isoformat(params.get(name))
        return self._list(path, params=params, **paging)


def _isoformat(value):
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()
