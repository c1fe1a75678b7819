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
    cfg.IntOpt('max_concurrent_operations', default=8, min=1,
               help='Operations (protect, restore, delete...) one worker '
                    'runs at the same time; more wait in its queue or are '
                    'taken by other workers.'),
    cfg.IntOpt('max_parallel_resources', default=4, min=1,
               help='Resources of one operation whose on_main hooks run '
                    'in parallel.'),
    cfg.IntOpt('max_parallel_transfers', default=4, min=1,
               help='Bank objects one resource transfers at the same time '
                    '(files of a directory, parts of a dump, objects '
                    'verified).'),
    cfg.IntOpt('malloc_arena_max', default=2, min=0,
               help='Malloc arenas of a protection worker process (glibc). '
                    'Transfer threads would otherwise each keep their own '
                    'and the resident memory grow with their number; 0 '
                    'keeps the C library\'s default.'),
    cfg.FloatOpt('progress_interval', default=1.0, min=0,
                 help='Seconds between two saves of a running operation\'s '
                      'progress (items and bytes done/total) on its '
                      'checkpoint or restore.'),
    cfg.IntOpt('lease_seconds', default=30, min=2,
               help='How long a worker owns an operation without renewing '
                    'its lease. A worker renews every third of it; when it '
                    'dies, another worker takes the operation over once the '
                    'lease has expired.'),
    cfg.IntOpt('recovery_interval', default=10, min=1,
               help='Seconds between two scans for operations nobody is '
                    'working on (expired leases, lost messages).'),
    cfg.IntOpt('pending_grace_seconds', default=15, min=1,
               help='An accepted operation that no worker has claimed for '
                    'this long (its message was lost) is taken by the '
                    'recovery scan.'),
    cfg.IntOpt('max_attempts', default=3, min=1,
               help='After this many workers died running an operation, it '
                    'is failed with a reason instead of being tried again.'),
    cfg.IntOpt('copy_attempts', default=3, min=1,
               help='How many times copying one bank object to a copy '
                    'destination is tried when the bank fails transiently '
                    '(a corrupted or missing source object is not retried).'),
    cfg.FloatOpt('copy_retry_delay', default=0.5, min=0,
                 help='Seconds before the first retry of a failed object '
                      'copy; doubled at each further attempt.'),
]

directory_group = cfg.OptGroup('directory_protectable',
                               title='Directory protectable')

directory_opts = [
    cfg.ListOpt('roots', default=['$state_path/data'],
                help='Directories whose sub-directories are offered as '
                     'protectable OS::Karbor::Directory instances. Nothing '
                     'outside these roots can be protected or restored to.'),
]

directory_protection_group = cfg.OptGroup(
    'directory_protection', title='Directory protection plugin')

directory_protection_opts = [
    cfg.IntOpt('pack_threshold', default=1024 * 1024, min=0,
               help='Files smaller than this many bytes are packed together '
                    'into bank objects (one object per small file would '
                    'make the per-object cost dominate); larger ones get '
                    'an object each.'),
    cfg.IntOpt('pack_size', default=16 * 1024 * 1024, min=1024,
               help='Bytes of small files gathered into one bank object.'),
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
    conf.register_group(directory_protection_group)
    conf.register_opts(directory_protection_opts,
                       group=directory_protection_group)
    conf.register_group(upgrade_group)
    conf.register_opts(upgrade_opts, group=upgrade_group)


def list_opts():
    return {protection_group: protection_opts,
            directory_group: directory_opts,
            directory_protection_group: directory_protection_opts,
            upgrade_group: upgrade_opts}
