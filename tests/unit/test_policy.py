"""Policy decisions, remembered between rule loads."""

from oslo_config import cfg
from oslo_policy import _checks
from oslo_policy import policy as oslo_policy
import pytest

from karbor import context
from karbor import policy
from karbor.common import exceptions
from karbor.policies import plans as plan_policy

CONF = cfg.CONF


@pytest.fixture
def policy_file(tmp_path):
    path = tmp_path / 'policy.yaml'
    path.write_text('{}\n')
    policy.get_enforcer()   # registers the [oslo_policy] options
    CONF.set_override('policy_file', str(path), group='oslo_policy')
    policy.reset()
    yield path
    CONF.clear_override('policy_file', group='oslo_policy')
    policy.reset()


def caller(project='p1', roles=('reader', 'member')):
    return context.RequestContext(user_id='u1', project_id=project,
                                  roles=list(roles))


def allowed(ctxt, action, project='p1'):
    try:
        return policy.authorize(ctxt, action, {'project_id': project,
                                               'user_id': 'u1'})
    except exceptions.PolicyNotAuthorized:
        return False


def test_decisions_follow_roles_and_projects(policy_file):
    reader = caller(roles=('reader',))
    for _ in range(2):   # the second round is answered from memory
        assert allowed(reader, plan_policy.GET)
        assert not allowed(reader, plan_policy.GET, project='p2')
        assert not allowed(reader, plan_policy.CREATE)
        assert allowed(caller(), plan_policy.CREATE)
        assert not allowed(caller(), plan_policy.GET_ALL_TENANTS)
        assert allowed(caller(roles=('admin',)), plan_policy.GET_ALL_TENANTS)


def test_a_changed_policy_file_applies(policy_file):
    reader = caller(roles=('reader',))
    assert allowed(reader, plan_policy.GET)
    policy_file.write_text('"plan:get": "!"\n')
    policy.get_enforcer().load_rules(force_reload=True)
    assert not allowed(reader, plan_policy.GET)


class _CountingCheck(_checks.Check):
    calls = 0

    def __call__(self, target, creds, enforcer, current_rule=None):
        type(self).calls += 1
        return True


def test_rules_with_impure_checks_are_evaluated_every_time(policy_file):
    oslo_policy.register('karbor_counting', _CountingCheck)
    try:
        policy_file.write_text('"plan:get": "karbor_counting:x"\n')
        policy.reset()
        before = _CountingCheck.calls
        for _ in range(3):
            assert allowed(caller(), plan_policy.GET)
        assert _CountingCheck.calls - before == 3
    finally:
        oslo_policy._checks.registered_checks.pop('karbor_counting', None)
