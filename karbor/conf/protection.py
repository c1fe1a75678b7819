"""Options of the protection service: providers, RPC, plugins."""

from oslo_config import cfg

protection_group = cfg.OptGroup('protection', title='Protection service')

protection_opts = [
    cfg.StrOpt('topic', default='karbor-protection',
               help='RPC topic the protection workers listen on.'),
    cfg.ListOpt('provider_config_dirs', default=[],
                help='Directories holding provider definitions '
                     '(providers.d/*.conf). When empty, the providers.d '
                     'directory shipped with Karbor is used.'),
    cfg.IntOpt('rpc_call_timeout', default=30, min=1,
               help='Seconds the API waits for a protection worker to '
                    'answer a question (protectable queries).'),
    cfg.IntOpt('executor_threads', default=16, min=1,
               help='Threads that serve RPC requests in a protection '
                    'worker.'),
]

directory_group = cfg.OptGroup('directory_protectable',
                               title='Directory protectable')

directory_opts = [
    cfg.ListOpt('roots', default=['$state_path/data'],
                help='Directories whose sub-directories are offered as '
                     'protectable OS::Karbor::Directory instances. Nothing '
                     'outside these roots can be protected or restored to.'),
]

upgrade_group = cfg.OptGroup('upgrade_levels', title='RPC version caps')

upgrade_opts = [
    cfg.StrOpt('protection',
               help='Highest RPC API version the API may send to protection '
                    'workers, so that new API nodes can run beside old '
                    'workers during a rolling upgrade. Unset means the '
                    'newest.'),
]


def register_opts(conf):
    conf.register_group(protection_group)
    conf.register_opts(protection_opts, group=protection_group)
    conf.register_group(directory_group)
    conf.register_opts(directory_opts, group=directory_group)
    conf.register_group(upgrade_group)
    conf.register_opts(upgrade_opts, group=upgrade_group)


def list_opts():
    return {protection_group: protection_opts,
            directory_group: directory_opts,
            upgrade_group: upgrade_opts}
