from oslo_policy import policy

from karbor.policies import base

GET = 'quota:get'
GET_DEFAULTS = 'quota:get_defaults'
UPDATE = 'quota:update'
DELETE = 'quota:delete'
CLASS_GET = 'quota_class:get'
CLASS_UPDATE = 'quota_class:update'

# The target of the quota rules is the project whose quota it is: a reader
# sees their own project's, an admin any project's.
rules = [
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER,
        'Show the quota of a project, with its usage for /detail.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/quotas/{target_project_id}'},
         {'method': 'GET',
          'path': '/v1/{project_id}/quotas/{target_project_id}/detail'}]),
    policy.DocumentedRuleDefault(
        GET_DEFAULTS, base.ADMIN_OR_READER,
        'Show the default quota (of a project without limits of its own).',
        [{'method': 'GET',
          'path': '/v1/{project_id}/quotas/{target_project_id}/defaults'}]),
    policy.DocumentedRuleDefault(
        UPDATE, base.ADMIN, 'Set limits of a project.',
        [{'method': 'PUT',
          'path': '/v1/{project_id}/quotas/{target_project_id}'}]),
    policy.DocumentedRuleDefault(
        DELETE, base.ADMIN,
        'Remove the limits of a project: it is back to the defaults.',
        [{'method': 'DELETE',
          'path': '/v1/{project_id}/quotas/{target_project_id}'}]),
    policy.DocumentedRuleDefault(
        CLASS_GET, base.ADMIN_OR_READER, 'Show the limits of a quota class.',
        [{'method': 'GET',
          'path': '/v1/{project_id}/quota_classes/{class_name}'}]),
    policy.DocumentedRuleDefault(
        CLASS_UPDATE, base.ADMIN,
        'Set limits of a quota class ("default": every project without '
        'limits of its own).',
        [{'method': 'PUT',
          'path': '/v1/{project_id}/quota_classes/{class_name}'}]),
]


def list_rules():
    return rules
