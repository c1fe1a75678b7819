"""Policy enforcement (oslo.policy) with the rules of karbor.policies."""

import threading

from oslo_config import cfg
from oslo_policy import policy

from karbor import policies
from karbor.common import exceptions

CONF = cfg.CONF
_ENFORCER = None
_LOCK = threading.Lock()


def get_enforcer():
    """The enforcer; also the entry point of oslopolicy-* tools."""
    global _ENFORCER
    if _ENFORCER is None:
        with _LOCK:
            if _ENFORCER is None:
                enforcer = policy.Enforcer(CONF)
                enforcer.register_defaults(policies.list_rules())
                _ENFORCER = enforcer
    return _ENFORCER


def reset():
    global _ENFORCER
    _ENFORCER = None


def authorize(context, action, target=None):
    """Raise PolicyNotAuthorized unless ``context`` may do ``action``.

    The default target is the caller's own project.
    """
    if target is None:
        target = {'project_id': context.project_id,
                  'user_id': context.user_id}
    return get_enforcer().authorize(
        action, target, context, do_raise=True,
        exc=exceptions.PolicyNotAuthorized, action=action)


def check_is_admin(context):
    return get_enforcer().authorize(
        'admin_api', {'project_id': context.project_id}, context,
        do_raise=False)
