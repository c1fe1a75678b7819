"""Base rules: personas of the reader / member / admin model."""

from oslo_policy import policy

# The defaults of the resources' rules spell the checks out instead of
# referring to the named rules below: every "rule:" indirection costs a
# check evaluation on each request. The named rules stay for operators who
# want to refer to them in their policy files.
ADMIN = 'role:admin'
ADMIN_OR_READER = 'role:admin or (role:reader and project_id:%(project_id)s)'
ADMIN_OR_MEMBER = 'role:admin or (role:member and project_id:%(project_id)s)'

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
