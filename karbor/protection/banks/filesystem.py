"""A bank in a directory of the local (or a shared) file system."""

from oslo_config import cfg

filesystem_bank_opts = [
    cfg.StrOpt('path', required=True,
               help='Directory that holds the bank objects.'),
]


class FileSystemBank:
    """Objects as files below ``path``.

    The object store operations arrive with the protection engine; the
    provider only needs to know that its bank plugin exists and what it
    needs to be configured.
    """

    SECTION = 'filesystem_bank'

    def __init__(self, config):
        config.register_opts(filesystem_bank_opts, group=self.SECTION)
        self.path = config[self.SECTION].path
