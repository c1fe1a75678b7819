"""What each mutating route does, for tasks: its action name, the kind of
resource it acts on, and the status it answers on success."""

import collections
import re

Route = collections.namedtuple(
    'Route', ('method', 'pattern', 'action', 'resource_type', 'status'))

_P = r'^/v1/[^/]+'
ROUTES = [
    Route('POST', re.compile(_P + r'/plans/?$'), 'plan-create', 'plan',
          201),
    Route('PUT', re.compile(_P + r'/plans/(?P<id>[^/]+)/?$'), 'plan-update',
          'plan', 200),
    Route('DELETE', re.compile(_P + r'/plans/(?P<id>[^/]+)/?$'),
          'plan-delete', 'plan', 204),
    Route('POST', re.compile(_P + r'/providers/[^/]+/checkpoints/?$'),
          'checkpoint-create', 'checkpoint', 202),
    Route('PUT', re.compile(_P + r'/providers/[^/]+/checkpoints/'
                                 r'(?P<id>[^/]+)/?$'),
          'checkpoint-reset-state', 'checkpoint', 200),
    Route('DELETE', re.compile(_P + r'/providers/[^/]+/checkpoints/'
                                    r'(?P<id>[^/]+)/?$'),
          'checkpoint-delete', 'checkpoint', 202),
    Route('POST', re.compile(_P + r'/restores/?$'), 'restore-create',
          'restore', 202),
    Route('POST', re.compile(_P + r'/providers/[^/]+/checkpoints/action/?$'),
          'copy-create', 'copy', 202),
    Route('POST', re.compile(_P + r'/verifications/?$'),
          'verification-create', 'verification', 202),
    Route('POST', re.compile(_P + r'/triggers/?$'), 'trigger-create',
          'trigger', 201),
    Route('PUT', re.compile(_P + r'/triggers/(?P<id>[^/]+)/?$'),
          'trigger-update', 'trigger', 200),
    Route('DELETE', re.compile(_P + r'/triggers/(?P<id>[^/]+)/?$'),
          'trigger-delete', 'trigger', 204),
    Route('POST', re.compile(_P + r'/scheduled_operations/?$'),
          'scheduled-operation-create', 'scheduled_operation', 201),
    Route('PUT', re.compile(_P + r'/scheduled_operations/(?P<id>[^/]+)/?$'),
          'scheduled-operation-update', 'scheduled_operation', 200),
    Route('DELETE',
          re.compile(_P + r'/scheduled_operations/(?P<id>[^/]+)/?$'),
          'scheduled-operation-delete', 'scheduled_operation', 204),
    Route('PUT', re.compile(_P + r'/os-services/(?P<id>[^/]+)/?$'),
          'service-update', 'service', 200),
    Route('PUT', re.compile(_P + r'/quotas/(?P<id>[^/]+)/?$'),
          'quota-update', 'quota', 200),
    Route('DELETE', re.compile(_P + r'/quotas/(?P<id>[^/]+)/?$'),
          'quota-delete', 'quota', 204),
    Route('PUT', re.compile(_P + r'/quota_classes/(?P<id>[^/]+)/?$'),
          'quota-class-update', 'quota_class', 200),
]

ASYNC_STATUS = 202


def match(method, path):
    """(route, resource id from the path or None), or (None, None)."""
    for route in ROUTES:
        if route.method == method:
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict().get('id')
    return None, None
