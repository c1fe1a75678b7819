"""Options of every daemon: heartbeats and liveness."""

from oslo_config import cfg

service_opts = [
    cfg.IntOpt('report_interval', default=10, min=1,
               help='Seconds between the heartbeats a daemon writes to its '
                    'service record.'),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help='A service whose last heartbeat is older than this many '
                    'seconds is shown as "down".'),
]


def register_opts(conf):
    conf.register_opts(service_opts)


def list_opts():
    return {'DEFAULT': service_opts}
