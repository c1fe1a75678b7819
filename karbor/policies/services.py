from oslo_policy import policy

from karbor.policies import base

GET_ALL = 'service:get_all'
UPDATE = 'service:update'

rules = [
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN, 'List the daemons and their state.',
        [{'method': 'GET', 'path': '/v1/{project_id}/os-services'}]),
    policy.DocumentedRuleDefault(
        UPDATE, base.ADMIN, 'Enable or disable a daemon.',
        [{'method': 'PUT',
          'path': '/v1/{project_id}/os-services/{service_id}'}]),
]


def list_rules():
    return rules
