"""Options of the [api] group: the REST API server."""

from oslo_config import cfg

api_group = cfg.OptGroup('api', title='REST API options')

api_opts = [
    cfg.HostAddressOpt('host_ip', default='127.0.0.1',
                       help='Address the API server listens on.'),
    cfg.PortOpt('port', default=8799,
                help='Port the API server listens on.'),
    cfg.IntOpt('workers', default=2, min=1,
               help='Number of API worker processes of karbor-api.'),
    cfg.IntOpt('threads', default=4, min=1,
               help='Threads per API worker process.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='The largest page a list request may ask for; larger '
                    '"limit" values are capped to it.'),
    cfg.IntOpt('default_limit', default=1000, min=1,
               help='Page size of list requests that give no "limit".'),
    cfg.IntOpt('max_request_body_size', default=114688, min=1024,
               help='The largest request body accepted, in bytes; larger '
                    'bodies are refused with 413.'),
    cfg.IntOpt('resource_check_cache_seconds', default=60, min=0,
               help='How long the API remembers that a protectable '
                    'resource exists once a protection worker has listed, '
                    'shown or checked it for a project; plans created or '
                    'updated with such resources meanwhile are not checked '
                    'again over RPC. 0 checks every time.'),
    cfg.StrOpt('public_endpoint',
               help='Base URL clients use to reach the API (for example '
                    'behind a load balancer). Used to build links; when '
                    'unset the request\'s own host URL is used.'),
]


def register_opts(conf):
    conf.register_group(api_group)
    conf.register_opts(api_opts, group=api_group)


def list_opts():
    return {api_group: api_opts}
