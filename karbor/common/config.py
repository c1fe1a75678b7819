"""Start-up of every command: parse configuration, set up logging."""

import os

from oslo_config import cfg
from oslo_log import log as logging

from karbor import rpc
from karbor import version
import karbor.conf  # noqa: F401  (registers the options)

CONF = cfg.CONF


def parse_args(argv, default_config_files=None, transport_url=None,
               tool=False):
    """``tool``: a command whose output is its answer (karbor-manage,
    karbor-status): logs go to standard error, and only warnings."""
    logging.register_options(CONF)
    if tool:
        CONF.set_default('use_stderr', True)
        CONF.set_default('default_log_levels', logging.get_default_log_levels()
                         + ['alembic=WARNING'])
    rpc.set_defaults(transport_url=transport_url)
    CONF(argv[1:], project='karbor', version=version.version_string(),
         default_config_files=default_config_files)
    logging.setup(CONF, 'karbor')


def ensure_state_path():
    os.makedirs(CONF.state_path, exist_ok=True)
