from oslo_policy import policy

from karbor.policies import base

GET = 'provider:get'
GET_ALL = 'provider:get_all'

rules = [
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show a provider.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/providers/{provider_id}'}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER, 'List providers.',
        [{'method': 'GET', 'path': '/v1/{project_id}/providers'}]),
]


def list_rules():
    return rules
