"""Policy enforcement (oslo.policy) with the rules of karbor.policies."""

import threading
import time

from oslo_config import cfg
from oslo_policy import policy

from karbor import policies
from karbor.common import exceptions

CONF = cfg.CONF
_ENFORCER = None
_LOCK = threading.Lock()


# Policy files are checked for changes at most this often, not on every
# request (that was a tenth of the CPU of a simple GET).
RELOAD_INTERVAL = 5.0


class Enforcer(policy.Enforcer):

    _checked_at = None

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if force_reload or self._checked_at is None or \
                now - self._checked_at >= RELOAD_INTERVAL:
            super().load_rules(force_reload)
            self._checked_at = now


def get_enforcer():
    """The enforcer; also the entry point of oslopolicy-* tools."""
    global _ENFORCER
    if _ENFORCER is None:
        with _LOCK:
            if _ENFORCER is None:
                enforcer = Enforcer(CONF)
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

