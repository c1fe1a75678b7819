"""/v1/{project_id}/quotas/{target_project_id} and /quota_classes/{name}

The limits of a project (its own, else the ``default`` quota class's, else
the ``[quota]`` options; -1 is unlimited), its usage counted from live rows,
and the quota classes. Setting a limit below the current usage is allowed:
it only refuses new creates.
"""

import re

import pecan
from pecan import rest

from karbor import policy
from karbor.api import hooks
from karbor.api import validation
from karbor.api import views
from karbor.api.schemas import quotas as schemas
from karbor.common import exceptions
from karbor.db import quotas as db_quotas
from karbor.policies import quotas as quota_policy

MAX_LIMIT = 2 ** 31 - 1
_INTEGER = re.compile(r'^-?[0-9]{1,12}$')


def quota_view(target, limits):
    return dict({'id': target}, **limits)


def detail_view(target, limits, usage):
    return dict({'id': target}, **{
        resource: {'limit': limits[resource], 'in_use': usage[resource],
                   'reserved': 0}
        for resource in db_quotas.RESOURCES})


def _name(kind, value):
    # Project ids and class names are path segments of at most 255
    # characters (their columns).
    if not value or len(value) > 255 or value != value.strip():
        raise exceptions.InvalidInput(
            reason='%s must be 1 to 255 characters without surrounding '
                   'spaces, not %r' % (kind, value))
    return value


def _target(target):
    if target is None:
        # /quotas/detail, /quotas/defaults: no project named.
        raise exceptions.RouteNotFound(path=pecan.request.path)
    return _name('the project id', target)


def _limits(key, values):
    """{resource: int} of a validated body; -1 to MAX_LIMIT each."""
    limits = {}
    for resource, value in values.items():
        if isinstance(value, str):
            value = value.strip()
            number = int(value) if _INTEGER.match(value) else None
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            number = None
        if number is None or not -1 <= number <= MAX_LIMIT:
            raise exceptions.InvalidInput(
                reason='%s/%s must be an integer from -1 (unlimited) to %d, '
                       'not %r' % (key, resource, MAX_LIMIT, value))
        limits[resource] = int(number)
    return limits


def _authorize(ctxt, action, target):
    policy.authorize(ctxt, action, {'project_id': target,
                                    'user_id': ctxt.user_id})


class QuotasController(rest.RestController):
    _custom_actions = {'detail': ['GET'], 'defaults': ['GET']}

    @pecan.expose('json')
    def get_one(self, target):
        ctxt = hooks.context_of(pecan.request)
        target = _target(target)
        _authorize(ctxt, quota_policy.GET, target)
        return {'quota': quota_view(target,
                                    db_quotas.project_get(ctxt, target))}

    @pecan.expose('json')
    def detail(self, target=None):
        ctxt = hooks.context_of(pecan.request)
        target = _target(target)
        _authorize(ctxt, quota_policy.GET, target)
        return {'quota': detail_view(target,
                                     db_quotas.project_get(ctxt, target),
                                     db_quotas.usage(ctxt, target))}

    @pecan.expose('json')
    def defaults(self, target=None):
        ctxt = hooks.context_of(pecan.request)
        target = _target(target)
        _authorize(ctxt, quota_policy.GET_DEFAULTS, target)
        return {'quota': quota_view(target, db_quotas.defaults(ctxt))}

    @pecan.expose('json')
    def put(self, target):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.update)
        target = _target(target)
        _authorize(ctxt, quota_policy.UPDATE, target)
        db_quotas.project_update(ctxt, target,
                                 _limits('quota', body['quota']))
        # The published client reads the envelope of every update.
        return {'quota': quota_view(target,
                                    db_quotas.project_get(ctxt, target))}

    @pecan.expose('json')
    def delete(self, target):
        ctxt = hooks.context_of(pecan.request)
        target = _target(target)
        _authorize(ctxt, quota_policy.DELETE, target)
        db_quotas.project_delete(ctxt, target)
        return views.no_content()


class QuotaClassesController(rest.RestController):

    @pecan.expose('json')
    def get_one(self, class_name):
        ctxt = hooks.context_of(pecan.request)
        class_name = _name('the quota class name', class_name)
        policy.authorize(ctxt, quota_policy.CLASS_GET)
        return {'quota_class': quota_view(
            class_name, db_quotas.class_get(ctxt, class_name))}

    @pecan.expose('json')
    def put(self, class_name):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.class_update)
        class_name = _name('the quota class name', class_name)
        policy.authorize(ctxt, quota_policy.CLASS_UPDATE)
        db_quotas.class_update(ctxt, class_name,
                               _limits('quota_class', body['quota_class']))
        return {'quota_class': quota_view(
            class_name, db_quotas.class_get(ctxt, class_name))}
