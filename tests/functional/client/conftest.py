"""Run karbor-cli as a user would, against the embedded server.

Uses the ``embedded_server`` fixture of tests/functional/conftest.py
(``.url``, ``.token``, ``.admin_token``, ``.project_id``, ``.env``,
``.state_path``).
"""

import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
DIRECTORY_TYPE = 'OS::Karbor::Directory'
# Variables of the developer's shell that would switch karbor-cli to
# Keystone or another endpoint.
FOREIGN_AUTH_VARS = ('OS_AUTH_URL', 'OS_AUTH_TYPE', 'OS_AUTH_PLUGIN',
                     'OS_ENDPOINT', 'OS_USERNAME', 'OS_PASSWORD',
                     'OS_PROJECT_NAME', 'OS_REGION_NAME', 'OS_INTERFACE')


class CLI:
    """``karbor-cli`` in a subprocess, with the server in its environment."""

    def __init__(self, server, env):
        self.server = server
        self.env = env

    def run(self, *args, token=None, env=None, expect=0):
        run_env = dict(self.env)
        if token is not None:
            run_env['OS_TOKEN'] = token
        run_env.update(env or {})
        result = subprocess.run(['karbor-cli', *args], env=run_env,
                                capture_output=True, text=True, timeout=120)
        if expect is not None:
            assert result.returncode == expect, (
                'karbor-cli %s: exit %s\nstdout: %s\nstderr: %s' % (
                    ' '.join(args), result.returncode, result.stdout,
                    result.stderr))
        return result

    def json(self, *args, **kwargs):
        import json
        return json.loads(self.run(*args, '-f', 'json', **kwargs).stdout)


def _shim_bin_dir(tmp_path_factory, path):
    """A dir with a karbor-cli script when it is not installed (source
    tree without `pip install -e .`)."""
    if shutil.which('karbor-cli', path=path):
        return None
    bin_dir = tmp_path_factory.mktemp('karbor-cli-bin')
    script = bin_dir / 'karbor-cli'
    script.write_text(
        '#!%s\nimport sys\nfrom karbor.client.shell import main\n'
        'sys.exit(main())\n' % sys.executable)
    script.chmod(0o755)
    return str(bin_dir)


@pytest.fixture(scope='session')
def cli_env(embedded_server, tmp_path_factory):
    env = {k: v for k, v in embedded_server.env.items()
           if k not in FOREIGN_AUTH_VARS}
    env.update({'KARBOR_ENDPOINT': embedded_server.url,
                'OS_TOKEN': embedded_server.token,
                'OS_PROJECT_ID': embedded_server.project_id})
    shim = _shim_bin_dir(tmp_path_factory, env.get('PATH', os.defpath))
    if shim:
        env['PATH'] = shim + os.pathsep + env.get('PATH', os.defpath)
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (str(REPO_ROOT), env.get('PYTHONPATH')) if p)
    return env


@pytest.fixture(scope='session')
def cli(embedded_server, cli_env):
    return CLI(embedded_server, cli_env)


@pytest.fixture(scope='session')
def provider_id(cli):
    """The embedded no-op provider, found the way a user would."""
    providers = cli.json('provider', 'list')
    noop = [p for p in providers if 'no-op' in p['Name'].lower()]
    assert noop, 'no No-op provider in %r' % providers
    return noop[0]['ID']


@pytest.fixture
def directory(embedded_server, cli):
    """A new directory under the server's protectable root: (id, name)."""
    name = 'vol-%d' % time.monotonic_ns()
    root = pathlib.Path(embedded_server.state_path) / 'data'
    (root / name).mkdir(parents=True)
    instances = cli.json('protectable', 'instance', 'list', DIRECTORY_TYPE)
    (instance,) = [i for i in instances if i['Name'] == name]
    return instance['ID'], name


@pytest.fixture
def plan(cli, provider_id, directory):
    """A plan created through the CLI, deleted afterwards if still there."""
    created = cli.json('plan', 'create', 'plan-%d' % time.monotonic_ns(),
                       provider_id, '--resource',
                       '%s=%s' % (directory[0], DIRECTORY_TYPE))
    yield created
    cli.run('plan', 'delete', created['id'], expect=None)
