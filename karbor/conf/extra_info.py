"""Options of the [checkpoint_extra_info] group: bounds of extra-info."""

from oslo_config import cfg

extra_info_group = cfg.OptGroup(
    'checkpoint_extra_info', title='Checkpoint extra-info bounds')

extra_info_opts = [
    cfg.IntOpt('max_entries', default=32, min=1, max=1000,
               help='Most keys one checkpoint\'s extra-info may hold.'),
    cfg.IntOpt('max_key_length', default=128, min=8, max=255,
               help='Longest extra-info key, in characters.'),
    cfg.IntOpt('max_value_length', default=1024, min=1, max=65535,
               help='Longest extra-info value, in characters.'),
    cfg.IntOpt('max_total_bytes', default=8192, min=256, max=1048576,
               help='Largest extra-info of one checkpoint, as the bytes of '
                    'its JSON encoding.'),
]


def register_opts(conf):
    conf.register_group(extra_info_group)
    conf.register_opts(extra_info_opts, group=extra_info_group)


def list_opts():
    return {extra_info_group: extra_info_opts}
