"""Options of the [operation_log] group."""

from oslo_config import cfg

operation_log_group = cfg.OptGroup('operation_log', title='Operation logs')

operation_log_opts = [
    cfg.IntOpt('max_extra_info_bytes', default=16384, min=256,
               help='The largest extra_info (JSON-encoded) a plugin may '
                    'attach to an operation log; larger additions are '
                    'refused and logged for the operator.'),
    cfg.IntOpt('retention_days', default=0, min=0,
               help='Delete finished operation logs older than this many '
                    'days, once an hour, in the protection workers. 0 keeps '
                    'them for ever (purge with "karbor-manage operation-log '
                    'purge").'),
    cfg.IntOpt('purge_batch_size', default=1000, min=1,
               help='Rows deleted per transaction when purging, so that the '
                    'table is never locked for long.'),
]


def register_opts(conf):
    conf.register_group(operation_log_group)
    conf.register_opts(operation_log_opts, group=operation_log_group)


def list_opts():
    return {operation_log_group: operation_log_opts}
