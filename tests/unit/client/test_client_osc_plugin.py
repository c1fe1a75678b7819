"""The OpenStack client plugin: module contract and make_client."""

import argparse
import importlib

from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import pytest

from karbor.client import Client
from karbor.client import commands
from karbor.client.osc import plugin


class FakeClientManager:
    """The parts of osc_lib's ClientManager that make_client reads."""

    def __init__(self, endpoint, token, auth_type='admin_token'):
        self._api_version = {plugin.API_NAME: '1'}
        self.auth_plugin_name = auth_type
        self.session = ks_session.Session(
            auth=token_endpoint.Token(endpoint, token))
        self.region_name = None
        self.interface = 'public'
        self._config = {'auth': {'endpoint': endpoint, 'token': token}}

    def get_configuration(self):
        return self._config


def test_module_contract():
    assert plugin.API_NAME == 'data_protection'
    assert plugin.API_VERSION_OPTION == 'os_data_protection_api_version'
    assert plugin.DEFAULT_API_VERSION in plugin.API_VERSIONS


def test_build_option_parser(monkeypatch):
    monkeypatch.setenv('OS_DATA_PROTECTION_API_VERSION', '1.0')
    parser = plugin.build_option_parser(argparse.ArgumentParser())
    assert parser.parse_args([]).os_data_protection_api_version == '1.0'


def test_make_client_with_admin_token(fake_server):
    fake_server.add('GET', 'plans', body={'plans': [{'id': 'p1'}]})
    client = plugin.make_client(FakeClientManager(fake_server.url,
                                                  'demo:demo'))
    assert isinstance(client, Client)
    assert [p.id for p in client.plans.list()] == ['p1']
    request = fake_server.requests[0]
    assert request.headers['X-Auth-Token'] == 'demo:demo'
    assert request.headers['OpenStack-API-Version'] == 'data-protection 1.0'


def test_entry_point_targets_are_importable_commands():
    for name, target in commands.osc_entry_points().items():
        module_name, class_name = target.split(':')
        command_class = getattr(importlib.import_module(module_name),
                                class_name)
        assert command_class.__doc__, name
        assert name.startswith('data_protection_')


def test_make_client_with_a_real_osc_client_manager(fake_server):
    # osc-lib's own ClientManager, configured as for
    # `openstack --os-auth-type admin_token --os-endpoint ... --os-token ...`
    openstack_config = pytest.importorskip('openstack.config')
    from osc_lib import clientmanager
    cloud = openstack_config.OpenStackConfig().get_one(
        cloud='', argparse=None, auth_type='admin_token',
        auth={'endpoint': fake_server.url, 'token': 'demo:demo'})
    manager = clientmanager.ClientManager(
        cli_options=cloud, api_version={plugin.API_NAME: '1'})
    manager.setup_auth()
    fake_server.add('GET', 'providers', body={'providers': [{'id': 'x'}]})
    client = plugin.make_client(manager)
    assert [p.id for p in client.providers.list()] == ['x']
