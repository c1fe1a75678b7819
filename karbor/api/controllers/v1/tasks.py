"""/v1/{project_id}/tasks, and the tasks of a plan, checkpoint or restore.

A task is a mutating request (see karbor.api.middleware.task_tag); its
state follows the operation it started: accepted → running → succeeded |
failed (with the error). Synchronous requests are succeeded at once.
"""

from oslo_utils import timeutils
import pecan
from pecan import rest

from karbor import policy
from karbor.api import hooks
from karbor.api import listing
from karbor.api import views
from karbor.common import exceptions
from karbor.db import tasks as db_tasks
from karbor.policies import tasks as task_policy

FILTERS = ('tag', 'state', 'action', 'resource', 'since', 'until')
SORT_KEYS = ('created_at', 'id', 'updated_at')


def task_view(row):
    task, state, error, operation_updated = row
    # The task changes when the operation it started does.
    last_updated = max(filter(None, (task.updated_at, operation_updated)))
    return {
        'id': task.id,
        'uuid': task.id,
        'tag': task.tag,
        'task': task.action,
        'state': state,
        'resource': ({task.resource_type: task.resource_id}
                     if task.resource_type and task.resource_id else {}),
        'request_id': task.request_id,
        'user_id': task.user_id,
        'project_id': task.project_id,
        'start_time': views.isotime(task.created_at),
        'last_updated': views.isotime(last_updated),
        'expires_at': views.isotime(task.expires_at),
        'response_status': task.response_status,
        'error': error if state == 'failed' else None,
    }


def _time(name, value):
    try:
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    except ValueError:
        raise exceptions.InvalidQueryParameter(
            reason='%s must be an ISO 8601 time, not %r'
            % (name, value)) from None


def list_tasks(request, resource=None):
    ctxt = hooks.context_of(request)
    policy.authorize(ctxt, task_policy.GET_ALL)
    params = listing.parse(request, filters=FILTERS, sort_keys=SORT_KEYS)
    if params.all_tenants or (params.project_id and
                              params.project_id != ctxt.project_id):
        raise exceptions.InvalidQueryParameter(
            reason='tasks are listed per project only')
    filters = dict(params.filters)
    states = None
    if 'state' in filters:
        value = filters.pop('state')
        states = value[3:].split(',') if value.startswith('in:') \
            else [value]
        for state in states:
            if state not in db_tasks.STATES:
                raise exceptions.InvalidQueryParameter(
                    reason='state %r is not one of %s'
                    % (state, ', '.join(db_tasks.STATES)))
    if 'resource' in filters:
        if resource is not None:
            raise exceptions.InvalidQueryParameter(
                reason='the resource of these tasks is the one in the path')
        kind, sep, resource_id = filters.pop('resource').partition(':')
        if not sep or not resource_id:
            raise exceptions.InvalidQueryParameter(
                reason='resource looks like resource=<type>:<id>')
        resource = (kind, resource_id)
    if resource is not None:
        filters['resource_type'], filters['resource_id'] = resource
    since = _time('since', filters.pop('since')) if 'since' in filters \
        else None
    until = _time('until', filters.pop('until')) if 'until' in filters \
        else None
    rows, has_more = db_tasks.task_list(
        ctxt, ctxt.project_id, filters=filters, states=states, since=since,
        until=until, sort=params.sort, limit=params.limit,
        marker=params.marker)
    body = {'tasks': [task_view(row) for row in rows]}
    if has_more:
        body.update(listing.next_link(request, params, rows[-1][0].id,
                                      'tasks'))
    return body


class TasksController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **_query):
        return list_tasks(pecan.request)

    @pecan.expose('json')
    def get_one(self, task_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, task_policy.GET)
        return {'task': task_view(db_tasks.task_get(ctxt, task_id,
                                                    ctxt.project_id))}


class ResourceTasksController(rest.RestController):
    """The tasks of one resource, e.g. /plans/{plan_id}/tasks."""

    def __init__(self, resource_type):
        self.resource_type = resource_type

    @pecan.expose('json')
    def get_all(self, *ids, **_query):
        return list_tasks(pecan.request, (self.resource_type, ids[-1]))
