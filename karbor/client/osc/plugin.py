"""``openstack data protection ...``: the OSC plugin.

Registered by the ``openstack.cli.extension`` entry point
``data_protection``; its commands are the ``openstack.data_protection.v1``
entry points, the same classes as karbor-cli's.
"""

import logging

from osc_lib import utils

from karbor.client import client as sdk_client
from karbor.client import shell

LOG = logging.getLogger(__name__)

DEFAULT_API_VERSION = '1'
API_VERSION_OPTION = 'os_data_protection_api_version'
API_NAME = 'data_protection'
API_VERSIONS = {
    '1': 'karbor.client.client.Client',
    '1.0': 'karbor.client.client.Client',
}


def make_client(instance):
    """Build the SDK client from OSC's ClientManager ``instance``."""
    api_version = instance._api_version[API_NAME]
    LOG.debug('Instantiating data protection client, API version %s',
              api_version)
    session = instance.session
    project_id = None
    endpoint = None
    if instance.auth_plugin_name in shell.DIRECT_AUTH_TYPES:
        # admin_token/none: no catalog and no project in a token; use the
        # --os-endpoint given to OSC and, for the server's noauth tokens
        # ("user:project"), the project they name.
        endpoint = instance.get_configuration().get('auth', {}).get(
            'endpoint')
        token = session.get_auth_headers().get('X-Auth-Token')
        project_id = shell.project_from_noauth_token(token)
    return sdk_client.Client(
        session=session, endpoint=endpoint, project_id=project_id,
        api_version=api_version, region_name=instance.region_name,
        interface=instance.interface)


def build_option_parser(parser):
    """Add the plugin's global option to OSC's parser."""
    parser.add_argument(
        '--os-data-protection-api-version',
        metavar='<data-protection-api-version>',
        default=utils.env('OS_DATA_PROTECTION_API_VERSION',
                          default=DEFAULT_API_VERSION),
        help='Data protection API version, default=%s '
             '(Env: OS_DATA_PROTECTION_API_VERSION)' % DEFAULT_API_VERSION)
    return parser
