from oslo_policy import policy

from karbor.policies import base

PREFIX = 'verification:%s'
CREATE = PREFIX % 'create'
GET = PREFIX % 'get'
GET_ALL = PREFIX % 'get_all'
GET_ALL_TENANTS = PREFIX % 'get_all_tenants'

rules = [
    policy.DocumentedRuleDefault(
        CREATE, base.ADMIN_OR_MEMBER,
        'Verify a checkpoint (re-read its bank objects, check their '
        'checksums).',
        [{'method': 'POST', 'path': '/v1/{project_id}/verifications'}]),
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show a verification.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/verifications/{verification_id}'}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER, 'List verifications.',
        [{'method': 'GET', 'path': '/v1/{project_id}/verifications'}]),
    policy.DocumentedRuleDefault(
        GET_ALL_TENANTS, base.ADMIN,
        'List the verifications of every project.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/verifications?all_tenants=1'}]),
]


def list_rules():
    return rules
