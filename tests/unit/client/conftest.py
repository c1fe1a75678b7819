"""Fixtures of the SDK/CLI unit tests (a real HTTP server on 127.0.0.1)."""

import pytest

from tests.unit.client.fake_karbor_server import PROJECT
from tests.unit.client.fake_karbor_server import FakeKarborServer


@pytest.fixture
def fake_server():
    server = FakeKarborServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sdk(fake_server):
    """An SDK client on the fake server, without retry delays."""
    from karbor.client import Client
    return Client(endpoint=fake_server.url, token='demo:demo',
                  project_id=PROJECT, retries=2, retry_delay=0, timeout=5)

