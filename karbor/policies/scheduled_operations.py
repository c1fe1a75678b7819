from oslo_policy import policy

from karbor.policies import base

PREFIX = 'scheduled_operation:%s'
CREATE = PREFIX % 'create'
GET = PREFIX % 'get'
GET_ALL = PREFIX % 'get_all'
GET_ALL_TENANTS = PREFIX % 'get_all_tenants'
UPDATE = PREFIX % 'update'
DELETE = PREFIX % 'delete'
GET_RUNS = PREFIX % 'get_runs'

_ALL = '/v1/{project_id}/scheduled_operations'
_ONE = _ALL + '/{scheduled_operation_id}'

rules = [
    policy.DocumentedRuleDefault(
        CREATE, base.ADMIN_OR_MEMBER,
        'Schedule a protect, retention protect or copy of a plan.',
        [{'method': 'POST', 'path': _ALL}]),
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show a scheduled operation.',
        [{'method': 'GET', 'path': _ONE}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER, 'List scheduled operations.',
        [{'method': 'GET', 'path': _ALL}]),
    policy.DocumentedRuleDefault(
        GET_ALL_TENANTS, base.ADMIN,
        'List the scheduled operations of every project.',
        [{'method': 'GET', 'path': _ALL + '?all_tenants=1'}]),
    policy.DocumentedRuleDefault(
        UPDATE, base.ADMIN_OR_MEMBER,
        'Rename, enable or disable a scheduled operation.',
        [{'method': 'PUT', 'path': _ONE}]),
    policy.DocumentedRuleDefault(
        DELETE, base.ADMIN_OR_MEMBER, 'Delete a scheduled operation.',
        [{'method': 'DELETE', 'path': _ONE}]),
    policy.DocumentedRuleDefault(
        GET_RUNS, base.ADMIN_OR_READER,
        'List the runs of a scheduled operation.',
        [{'method': 'GET', 'path': _ONE + '/runs'}]),
]


def list_rules():
    return rules
