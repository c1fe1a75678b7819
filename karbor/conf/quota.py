"""Options of the [quota] group: the default limits of every project.

A project's limit of a resource is its own (``PUT /quotas/{project}``), else
the ``default`` quota class's (``PUT /quota_classes/default``), else the
option here. -1 means unlimited.
"""

from oslo_config import cfg

quota_group = cfg.OptGroup('quota', title='Quotas')

quota_opts = [
    cfg.IntOpt('plans', default=50, min=-1,
               help='Plans a project may have, unless the project or the '
                    '"default" quota class sets another limit. -1 means '
                    'unlimited.'),
    cfg.IntOpt('checkpoints', default=-1, min=-1,
               help='Checkpoints a project may have (every checkpoint not '
                    'deleted yet, errored ones and copies included), unless '
                    'the project or the "default" quota class sets another '
                    'limit. -1 means unlimited.'),
]


def register_opts(conf):
    conf.register_group(quota_group)
    conf.register_opts(quota_opts, group=quota_group)


def list_opts():
    return {quota_group: quota_opts}
