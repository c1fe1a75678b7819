"""Options of the [task] group: tags of mutating requests."""

from oslo_config import cfg

task_group = cfg.OptGroup('task', title='Tasks and Task-Tag')

task_opts = [
    cfg.IntOpt('tag_ttl_hours', default=24, min=1,
               help='How long a Task-Tag stays bound to its request: a retry '
                    'within this window is answered from the first request; '
                    'after it, the tag can be used again.'),
    cfg.IntOpt('max_stored_response_bytes', default=65536, min=1024,
               help='Largest response body kept for replaying a tagged '
                    'request; larger ones are replayed from the resource\'s '
                    'current state.'),
]


def register_opts(conf):
    conf.register_group(task_group)
    conf.register_opts(task_opts, group=task_group)


def list_opts():
    return {task_group: task_opts}
