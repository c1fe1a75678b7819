"""Task-Tag: find any request's outcome, and make retries safe.

Every POST/PUT/DELETE under /v1/{project_id}/ becomes a task, recorded in
the request's first write transaction (karbor.db.tasks). A client may tag
it with ``Task-Tag: <tag>`` (1-128 letters, digits, ``._:-``; echoed on the
answer). Then, within [task] tag_ttl_hours:

* the same tag and the same request (method, path, API version and body)
  is not executed again: the answer is the original status and body (for
  asynchronous work, the resource as it is now), with
  ``Task-Replayed: true``;
* the same tag with another request is a 409 ``task_tag_mismatch``;
* while the first is still being accepted, a duplicate gets a 409
  ``task_tag_in_progress`` with ``Retry-After`` (never a second execution);
* a request that was refused before it changed anything leaves no task,
  so its tag can be reused at once.

Tags are per project: another project's tags are invisible.
"""

import hashlib
import json
import re

from oslo_log import log as logging
from oslo_utils import uuidutils
import webob

from karbor import context as karbor_context
from karbor.api import errors
from karbor.api import microversion
from karbor.api import task_actions
from karbor.common import exceptions
from karbor.db import tasks as db_tasks

LOG = logging.getLogger(__name__)

HEADER = 'Task-Tag'
_TAG = re.compile(r'^[A-Za-z0-9._:\-]{1,128}$')
_PROJECT_PATH = re.compile(r'^/v1/([^/]+)/')
MUTATING = ('POST', 'PUT', 'DELETE')

ENVIRON_PENDING = 'karbor.pending_task'
ENVIRON_TAG = 'karbor.task_tag'


def fingerprint(request, version):
    """SHA-256 of what makes two requests the same request."""
    body = request.body or b''
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True,
                               separators=(',', ':')).encode('utf-8')
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (request.method, request.path_info,
                 '%d.%d' % version, hashlib.sha256(canonical).hexdigest()):
        digest.update(part.encode('utf-8') + b'\0')
    return digest.hexdigest()


class TaskTagMiddleware:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        in_project = _PROJECT_PATH.match(path)
        project_id = environ.get('HTTP_X_PROJECT_ID')
        if environ.get('REQUEST_METHOD') not in MUTATING or \
                not in_project or in_project.group(1) != project_id:
            # Not a mutation of the caller's project (the project mismatch
            # is refused further in).
            return self.application(environ, start_response)
        request = webob.Request(environ)
        tag = request.headers.get(HEADER)
        request_id = environ.get('openstack.request_id')
        if tag is not None and not _TAG.match(tag):
            error = exceptions.InvalidTaskTag(tag=tag)
            return errors.fault_response(
                error.code, error.msg, error.error_code,
                request_id)(environ, start_response)
        version = environ.get(microversion.ENVIRON_KEY,
                              microversion.BASE_VERSION)
        user_id = environ.get('HTTP_X_USER_ID')

        def context():
            # Only for the DB calls of tagged or failed requests.
            return karbor_context.RequestContext(
                user_id=user_id, project_id=project_id,
                request_id=request_id)

        # Only a tagged request is ever compared with another one.
        print_ = fingerprint(request, version) if tag is not None else ''
        route, resource_id = task_actions.match(request.method, path)
        if tag is not None:
            existing = db_tasks.get_by_tag(context(), project_id, tag)
            if existing is not None:
                return self._answer_existing(request, existing, print_,
                                             route)(environ, start_response)
        pending = db_tasks.PendingTask(
            id=uuidutils.generate_uuid(), project_id=project_id, tag=tag,
            user_id=user_id, request_id=request_id,
            action=route.action if route else 'request',
            method=request.method, path=path, fingerprint=print_,
            resource_type=route.resource_type if route else None,
            resource_id=resource_id,
            resource_path=path if resource_id else None)
        environ[ENVIRON_PENDING] = pending
        environ[ENVIRON_TAG] = tag
        try:
            response = request.get_response(self.application)
        except exceptions.TaskTagTaken:
            # A concurrent request with this tag committed first.
            existing = db_tasks.get_by_tag(context(), project_id, tag)
            response = self._answer_existing(request, existing, print_,
                                             route)
            return response(environ, start_response)
        except exceptions.KarborException as err:
            # Refused: answered here so that the tag is echoed on it too.
            response = errors.fault_response(
                err.code, err.msg, err.error_code, request_id,
                headers=getattr(err, 'headers', None))
        if pending.recorded:
            # Debug only: the task row keeps the same record (GET /tasks),
            # and a log line costs a tenth of a millisecond per request.
            LOG.debug('Task %s (%s, tag %s) answered %d', pending.id,
                      pending.action, tag or '-', response.status_code)
            # Only a tagged request can be replayed; an untagged one needs
            # its answer kept only when it failed (its task shows failed).
            if tag is not None or response.status_code >= 400:
                try:
                    db_tasks.store_response(context(), pending.id,
                                            response.status_code,
                                            response.body)
                except Exception:
                    # The replay will be built from the resource instead.
                    LOG.warning('Could not store the answer of task %s',
                                pending.id, exc_info=True)
            response.headers['Task-Id'] = pending.id
        if tag is not None:
            response.headers[HEADER] = tag
        return response(environ, start_response)

    def _answer_existing(self, request, task, print_, route):
        tag = request.headers.get(HEADER)
        request_id = request.environ.get('openstack.request_id')
        if task is None or task.response_status is None and \
                task.resource_path is None:
            response = errors.fault_response(
                409, 'A request with Task-Tag %s is already being '
                'accepted; retry to get its answer.' % tag,
                'task_tag_in_progress', request_id,
                headers={'Retry-After': '1'})
        elif task.fingerprint != print_:
            error = exceptions.TaskTagMismatch(tag=tag, action=task.action,
                                               path=task.path)
            response = errors.fault_response(error.code, error.msg,
                                             error.error_code, request_id)
        else:
            LOG.info('Task %s (tag %s) replayed instead of running again',
                     task.id, tag)
            response = self._replay(request, task, route)
            response.headers['Task-Replayed'] = 'true'
            response.headers['Task-Id'] = task.id
        response.headers[HEADER] = tag
        return response

    def _replay(self, request, task, route):
        status = task.response_status or (route.status if route else 200)
        if task.response_status is None or status == \
                task_actions.ASYNC_STATUS:
            # Asynchronous work: show the resource as it is now.
            current = self._current(request, task.resource_path)
            if current is not None:
                current.status = status
                return current
        response = webob.Response(status=status)
        if task.response_body:
            response.content_type = 'application/json'
            response.body = task.response_body.encode('utf-8') \
                if isinstance(task.response_body, str) \
                else task.response_body
        else:
            del response.content_type
        return response

    def _current(self, request, resource_path):
        if not resource_path:
            return None
        sub = webob.Request.blank(resource_path)
        for key, value in request.environ.items():
            if key.startswith('HTTP_X_') or key.startswith('openstack.') \
                    or key == microversion.ENVIRON_KEY:
                sub.environ[key] = value
        response = sub.get_response(self.application)
        return response if response.status_code == 200 else None
