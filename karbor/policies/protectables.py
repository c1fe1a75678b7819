from oslo_policy import policy

from karbor.policies import base

GET = 'protectable:get'
GET_ALL = 'protectable:get_all'
INSTANCE_GET = 'protectable:instance_get'
INSTANCE_GET_ALL = 'protectable:instance_get_all'

rules = [
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show a protectable type.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/protectables/{protectable_type}'}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER, 'List protectable types.',
        [{'method': 'GET', 'path': '/v1/{project_id}/protectables'}]),
    policy.DocumentedRuleDefault(
        INSTANCE_GET, base.ADMIN_OR_READER, 'Show a protectable instance.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/protectables/{protectable_type}/'
                  'instances/{resource_id}'}]),
    policy.DocumentedRuleDefault(
        INSTANCE_GET_ALL, base.ADMIN_OR_READER,
        'List the instances of a protectable type.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/protectables/{protectable_type}/'
                  'instances'}]),
]


def list_rules():
    return rules
