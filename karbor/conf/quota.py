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
    cfg.IntOpt('unlimited_recheck_seconds', default=5, min=0,
               help='How long a process that creates plans or checkpoints '
                    'remembers that a project has no limit for them before '
                    'reading its limits again: a limit set where there was '
                    'none applies to the creates that start this many '
                    'seconds later at the latest. Creates under a limit '
                    'always read it in the transaction that inserts. 0 '
                    'reads the limits at every create.'),
]


def register_opts(conf):
    conf.register_group(quota_group)
    conf.register_opts(quota_opts, group=quota_group)


def list_opts():
    return {quota_group: quota_opts}
