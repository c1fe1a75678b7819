"""Base rules: personas of the reader / member / admin model."""

from oslo_policy import policy

ADMIN = 'rule:admin_api'
PROJECT_READER = 'rule:project_reader'
PROJECT_MEMBER = 'rule:project_member'
ADMIN_OR_READER = 'rule:admin_or_project_reader'
ADMIN_OR_MEMBER = 'rule:admin_or_project_member'

rules = [
    policy.RuleDefault('admin_api', 'role:admin',
                       description='An administrator of the cloud.'),
    policy.RuleDefault('project_reader',
                       'role:reader and project_id:%(project_id)s',
                       description='Somebody who may read the project.'),
    policy.RuleDefault('project_member',
                       'role:member and project_id:%(project_id)s',
                       description='Somebody who may change the project.'),
    policy.RuleDefault('admin_or_project_reader',
                       'rule:admin_api or rule:project_reader',
                       description='An administrator or a project reader.'),
    policy.RuleDefault('admin_or_project_member',
                       'rule:admin_api or rule:project_member',
                       description='An administrator or a project member.'),
]


def list_rules():
    return rules
