from oslo_policy import policy

from karbor.policies import base

PREFIX = 'checkpoint:%s'
CREATE = PREFIX % 'create'
DELETE = PREFIX % 'delete'
GET = PREFIX % 'get'
GET_ALL = PREFIX % 'get_all'
GET_ALL_TENANTS = PREFIX % 'get_all_tenants'
RESET_STATE = PREFIX % 'reset_state'
SET_OFFICIAL_EXTRA_INFO = PREFIX % 'set_official_extra_info'

_PATH = '/v1/{project_id}/providers/{provider_id}/checkpoints'

rules = [
    policy.DocumentedRuleDefault(
        CREATE, base.ADMIN_OR_MEMBER, 'Protect a plan: create a checkpoint.',
        [{'method': 'POST', 'path': _PATH}]),
    policy.DocumentedRuleDefault(
        DELETE, base.ADMIN_OR_MEMBER, 'Delete a checkpoint.',
        [{'method': 'DELETE', 'path': _PATH + '/{checkpoint_id}'}]),
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show a checkpoint.',
        [{'method': 'GET', 'path': _PATH + '/{checkpoint_id}'}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER, 'List checkpoints.',
        [{'method': 'GET', 'path': _PATH}]),
    policy.DocumentedRuleDefault(
        GET_ALL_TENANTS, base.ADMIN,
        'List the checkpoints of every project.',
        [{'method': 'GET', 'path': _PATH + '?all_tenants=1'}]),
    policy.DocumentedRuleDefault(
        RESET_STATE, base.ADMIN,
        'Reset the status of a checkpoint to available or error.',
        [{'method': 'PUT', 'path': _PATH + '/{checkpoint_id}'}]),
    policy.DocumentedRuleDefault(
        SET_OFFICIAL_EXTRA_INFO, base.ADMIN,
        'Set Karbor\'s own "karbor-*" extra-info keys when creating a '
        'checkpoint (tools acting for the service).',
        [{'method': 'POST', 'path': _PATH}]),
]


def list_rules():
    return rules
