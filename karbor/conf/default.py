"""Options of the [DEFAULT] group that concern the whole service."""

import os
import socket

from oslo_config import cfg

core_opts = [
    cfg.StrOpt('state_path',
               default=os.path.join(os.path.expanduser('~'), '.karbor'),
               sample_default='~/.karbor',
               help='Directory where Karbor keeps its local state: the '
                    'embedded SQLite database and the file-system bank of '
                    'the embedded default deployment.'),
    cfg.StrOpt('host',
               default=socket.gethostname(),
               sample_default='<hostname>',
               help='Name of this node, used in service records and as the '
                    'owner of the operations a protection worker runs.'),
    cfg.StrOpt('auth_strategy',
               default='noauth',
               choices=[('noauth', 'No authentication: the token is '
                                   '"<user>:<project>". For development and '
                                   'the embedded default only.'),
                        ('keystone', 'keystonemiddleware auth_token.')],
               help='How API requests are authenticated.'),
]


def register_opts(conf):
    conf.register_opts(core_opts)


def list_opts():
    return {'DEFAULT': core_opts}
