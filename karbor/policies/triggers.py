from oslo_policy import policy

from karbor.policies import base

PREFIX = 'trigger:%s'
CREATE = PREFIX % 'create'
GET = PREFIX % 'get'
GET_ALL = PREFIX % 'get_all'
GET_ALL_TENANTS = PREFIX % 'get_all_tenants'
UPDATE = PREFIX % 'update'
DELETE = PREFIX % 'delete'

_ONE = '/v1/{project_id}/triggers/{trigger_id}'

rules = [
    policy.DocumentedRuleDefault(
        CREATE, base.ADMIN_OR_MEMBER, 'Create a trigger.',
        [{'method': 'POST', 'path': '/v1/{project_id}/triggers'}]),
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show a trigger.',
        [{'method': 'GET', 'path': _ONE}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER, 'List triggers.',
        [{'method': 'GET', 'path': '/v1/{project_id}/triggers'}]),
    policy.DocumentedRuleDefault(
        GET_ALL_TENANTS, base.ADMIN, 'List the triggers of every project.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/triggers?all_tenants=1'}]),
    policy.DocumentedRuleDefault(
        UPDATE, base.ADMIN_OR_MEMBER, 'Rename a trigger or change its '
        'properties (its scheduled operations follow the new pattern).',
        [{'method': 'PUT', 'path': _ONE}]),
    policy.DocumentedRuleDefault(
        DELETE, base.ADMIN_OR_MEMBER, 'Delete a trigger no scheduled '
        'operation uses.', [{'method': 'DELETE', 'path': _ONE}]),
]


def list_rules():
    return rules
