from oslo_policy import policy

from karbor.policies import base

GET = 'operation_log:get'
GET_ALL = 'operation_log:get_all'
GET_ALL_TENANTS = 'operation_log:get_all_tenants'

rules = [
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show an operation log.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/operation_logs/{operation_log_id}'},
         {'method': 'GET',
          'path': '/v1/{project_id}/providers/{provider_id}/operation_logs/'
                  '{operation_log_id}'}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER, 'List operation logs.',
        [{'method': 'GET', 'path': '/v1/{project_id}/operation_logs'},
         {'method': 'GET',
          'path': '/v1/{project_id}/providers/{provider_id}/operation_logs'}
         ]),
    policy.DocumentedRuleDefault(
        GET_ALL_TENANTS, base.ADMIN,
        'List the operation logs of every project.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/operation_logs?all_tenants=1'}]),
]


def list_rules():
    return rules
