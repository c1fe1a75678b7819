"""Configuration shared by every test: a parsed, isolated CONF."""

from oslo_config import cfg
import pytest

from karbor.common import config


@pytest.fixture(scope='session', autouse=True)
def karbor_config(tmp_path_factory):
    state = tmp_path_factory.mktemp('state')
    config.parse_args(['karbor-tests'], default_config_files=[],
                      transport_url='fake://')
    cfg.CONF.set_override('state_path', str(state))
    cfg.CONF.set_override('roots', [str(state / 'data')],
                          group='directory_protectable')
    yield cfg.CONF
