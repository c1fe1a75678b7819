from oslo_policy import policy

from karbor.policies import base

PREFIX = 'copy:%s'
CREATE = PREFIX % 'create'
GET = PREFIX % 'get'
GET_ALL = PREFIX % 'get_all'
GET_ALL_TENANTS = PREFIX % 'get_all_tenants'

rules = [
    policy.DocumentedRuleDefault(
        CREATE, base.ADMIN_OR_MEMBER,
        "Copy a plan's checkpoints (or one checkpoint) to a copy "
        'destination of their provider.',
        [{'method': 'POST',
          'path': '/v1/{project_id}/providers/{provider_id}/checkpoints/'
                  'action'}]),
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show a copy.',
        [{'method': 'GET', 'path': '/v1/{project_id}/copies/{copy_id}'}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER, 'List copies.',
        [{'method': 'GET', 'path': '/v1/{project_id}/copies'}]),
    policy.DocumentedRuleDefault(
        GET_ALL_TENANTS, base.ADMIN, 'List the copies of every project.',
        [{'method': 'GET', 'path': '/v1/{project_id}/copies?all_tenants=1'}]),
]


def list_rules():
    return rules
