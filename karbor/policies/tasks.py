from oslo_policy import policy

from karbor.policies import base

GET = 'task:get'
GET_ALL = 'task:get_all'

rules = [
    policy.DocumentedRuleDefault(
        GET, base.ADMIN_OR_READER, 'Show a task.',
        [{'method': 'GET', 'path': '/v1/{project_id}/tasks/{task_id}'}]),
    policy.DocumentedRuleDefault(
        GET_ALL, base.ADMIN_OR_READER,
        'List tasks (also by tag, and the tasks of a resource).',
        [{'method': 'GET', 'path': '/v1/{project_id}/tasks'},
         {'method': 'GET',
          'path': '/v1/{project_id}/plans/{plan_id}/tasks'},
         {'method': 'GET',
          'path': '/v1/{project_id}/providers/{provider_id}/checkpoints/'
                  '{checkpoint_id}/tasks'},
         {'method': 'GET',
          'path': '/v1/{project_id}/restores/{restore_id}/tasks'},
         {'method': 'GET',
          'path': '/v1/{project_id}/verifications/{verification_id}/'
                  'tasks'}]),
]


def list_rules():
    return rules
