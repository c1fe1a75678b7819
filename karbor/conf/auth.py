"""Options of the [noauth] group (development authentication)."""

from oslo_config import cfg

noauth_group = cfg.OptGroup('noauth', title='noauth strategy options')

noauth_opts = [
    cfg.ListOpt('admin_users', default=['admin'],
                help='With auth_strategy=noauth, callers whose token names '
                     'one of these users ("<user>:<project>") get the admin '
                     'role. Everybody else gets the member and reader roles '
                     'of the project named in the token.'),
]


def register_opts(conf):
    conf.register_group(noauth_group)
    conf.register_opts(noauth_opts, group=noauth_group)


def list_opts():
    return {noauth_group: noauth_opts}
