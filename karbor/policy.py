"""Policy enforcement (oslo.policy) with the rules of karbor.policies."""

import threading
import time

from oslo_config import cfg
from oslo_policy import _checks
from oslo_policy import policy

from karbor import policies
from karbor.common import exceptions

CONF = cfg.CONF
_ENFORCER = None
_LOCK = threading.Lock()


# Policy files are checked for changes at most this often, not on every
# request (that was a tenth of the CPU of a simple GET).
RELOAD_INTERVAL = 5.0

# Decisions remembered between two rule (re)loads; the cache is emptied
# when it holds more.
MAX_DECISIONS = 10000

# Checks whose answer depends only on the rules, the target and the
# caller's credentials. A rule set with any other check (an HTTP check, a
# check registered by a plugin) is evaluated on every request.
_PURE_CHECKS = (_checks.AndCheck, _checks.OrCheck, _checks.NotCheck,
                _checks.TrueCheck, _checks.FalseCheck, _checks.RuleCheck,
                _checks.RoleCheck, _checks.GenericCheck)


def _pure(check):
    if type(check) not in _PURE_CHECKS:
        return False
    children = getattr(check, 'rules', None)
    if isinstance(children, list):
        return all(_pure(child) for child in children)
    child = getattr(check, 'rule', None)
    return child is None or _pure(child)


def _frozen(mapping):
    """A hashable copy of a flat mapping; None when a value is not."""
    items = []
    for key, value in mapping.items():
        if isinstance(value, list):
            value = tuple(value)
        try:
            hash(value)
        except TypeError:
            return None
        items.append((key, value))
    return frozenset(items)


class Enforcer(policy.Enforcer):
    """oslo.policy's enforcer, remembering its decisions.

    Evaluating a rule costs a few hundred microseconds (each check is
    introspected and its match parsed), as much as the rest of a simple
    GET. A decision is a pure function of the rules, the target and the
    caller's credentials, so it is remembered under exactly those until the
    rules change.
    """

    _checked_at = None
    _decisions_of = None

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if force_reload or self._checked_at is None or \
                now - self._checked_at >= RELOAD_INTERVAL:
            super().load_rules(force_reload)
            self._checked_at = now

    def _decision_cache(self):
        """The decisions taken under the current rules (None: uncachable)."""
        rules = self.rules
        cached = self._decisions_of
        if cached is None or cached[0] is not rules:
            decisions = {} if all(_pure(check) for check in rules.values()) \
                else None
            cached = self._decisions_of = (rules, decisions)
        return cached[1]

    def allowed(self, action, target, context):
        """Whether ``context`` may do ``action`` on ``target``."""
        self.load_rules()
        decisions = self._decision_cache()
        key = None
        if decisions is not None:
            creds = _frozen(context.to_policy_values())
            facts = _frozen(target)
            if creds is not None and facts is not None:
                key = (action, creds, facts)
                known = decisions.get(key)
                if known is not None:
                    return known
        result = bool(self.authorize(action, target, context,
                                     do_raise=False))
        if key is not None:
            if len(decisions) >= MAX_DECISIONS:
                decisions.clear()
            decisions[key] = result
        return result


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
    if not get_enforcer().allowed(action, target, context):
        raise exceptions.PolicyNotAuthorized(action=action)
    return True
