from oslo_policy import policy

from karbor.policies import base

PREFIX = 'plan:%s'
CREATE = PREFIX % 'create'
UPDATE = PREFIX % 'update'
DELETE = PREFIX % 'delete'
GET = PREFIX % 'get'
GET_ALL = PREFIX % 'get_all'
GET_ALL_TENANTS = PREFIX % 'get_all_tenants'

rules = [
    policy.DocumentedRuleDefault(
        CREATE, base.ADMIN_OR_MEMBER, 'Create a plan.',
        [{'method': 'POST', 'path': '/v1/{project_id}/plans'}]),
    policy.DocumentedRuleDefault(
        UPDATE, base.ADMIN_OR_MEMBER, 'Update a plan.',
        [{'method': 'PUT', 'path': '/v1/{project_id}/plans/{plan_id}'}]),
    policy.DocumentedRuleDefault(
        DELETE, base.ADMIN_OR_MEMBER, 'Delete a plan.',
        [{'method': 'DELETE', 'path': '/v1/{project_id}/plans/{plan_id}'}]),
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show a plan.',
        [{'method': 'GET', 'path': '/v1/{project_id}/plans/{plan_id}'}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER, 'List plans.',
        [{'method': 'GET', 'path': '/v1/{project_id}/plans'}]),
    policy.DocumentedRuleDefault(
        GET_ALL_TENANTS, base.ADMIN, 'List the plans of every project.',
        [{'method': 'GET', 'path': '/v1/{project_id}/plans?all_tenants=1'}]),
]


def list_rules():
    return rules
