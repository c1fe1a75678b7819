from oslo_policy import policy

from karbor.policies import base

PREFIX = 'restore:%s'
CREATE = PREFIX % 'create'
GET = PREFIX % 'get'
GET_ALL = PREFIX % 'get_all'
GET_ALL_TENANTS = PREFIX % 'get_all_tenants'

rules = [
    policy.DocumentedRuleDefault(
        CREATE, base.ADMIN_OR_MEMBER, 'Restore a checkpoint.',
        [{'method': 'POST', 'path': '/v1/{project_id}/restores'}]),
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show a restore.',
        [{'method': 'GET', 'path': '/v1/{project_id}/restores/{restore_id}'}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER, 'List restores.',
        [{'method': 'GET', 'path': '/v1/{project_id}/restores'}]),
    policy.DocumentedRuleDefault(
        GET_ALL_TENANTS, base.ADMIN, 'List the restores of every project.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/restores?all_tenants=1'}]),
]


def list_rules():
    return rules
