"""The published python-karborclient, installed in a virtualenv of its own.

It must never share an environment with Karbor (both have a ``karbor``
command), so it lives in a cached virtualenv outside the checkout.
"""

import os
import subprocess
import sys

import pytest

from tests import services

VERSION = '2.1.0'
VENV = os.path.join(
    os.environ.get('XDG_CACHE_HOME', os.path.expanduser('~/.cache')),
    'karbor-tests', 'python-karborclient-%s' % VERSION)


def karbor_command():
    command = os.path.join(VENV, 'bin', 'karbor')
    if os.path.exists(command):
        return command
    try:
        subprocess.run([sys.executable, '-m', 'venv', VENV], check=True,
                       capture_output=True, timeout=300)
        subprocess.run([os.path.join(VENV, 'bin', 'pip'), 'install', '-q',
                        'python-karborclient==%s' % VERSION], check=True,
                       capture_output=True, timeout=600)
    except (subprocess.SubprocessError, OSError) as err:
        message = 'cannot install python-karborclient %s: %s' % (
            VERSION, getattr(err, 'stderr', err))
        if services.IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return command


class KarborCLI:
    """Runs ``karbor`` of python-karborclient against a server."""

    def __init__(self, server, token=None, project=None):
        self.command = karbor_command()
        project = project or server.project_id
        self.env = {
            'PATH': os.pathsep.join((os.path.dirname(self.command),
                                     '/usr/bin', '/bin')),
            'OS_AUTH_TOKEN': token or '%s:%s' % (project, project),
            'OS_NO_CLIENT_AUTH': '1',
            'KARBOR_URL': '%s/v1/%s' % (server.url, project),
            'HOME': os.environ.get('HOME', '/tmp'),
        }

    def run(self, *args, expect=0):
        result = subprocess.run([self.command, *args], env=self.env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == expect, (
            'karbor %s exited %d\nstdout: %s\nstderr: %s' % (
                ' '.join(args), result.returncode, result.stdout,
                result.stderr))
        return result

    def show(self, *args):
        """Parse a Property/Value table into a dict of strings."""
        rows = {}
        key = None
        for line in self.run(*args).stdout.splitlines():
            if not line.startswith('|'):
                continue
            cells = [c.strip() for c in line.strip('|').split('|')]
            if cells[0] in ('Property', ''):
                if key and cells[0] == '' and len(cells) > 1:
                    rows[key] += cells[1]
                continue
            key = cells[0]
            rows[key] = cells[1]
        return rows

    def table(self, *args):
        """Parse a list table into a list of dicts (header → cell)."""
        lines = [line for line in self.run(*args).stdout.splitlines()
                 if line.startswith('|')]
        header = [c.strip() for c in lines[0].strip('|').split('|')]
        rows = []
        for line in lines[1:]:
            cells = [c.strip() for c in line.strip('|').split('|')]
            if rows and not cells[0]:
                # A multi-line cell continues the previous row.
                for key, cell in zip(header, cells, strict=False):
                    rows[-1][key] += cell
                continue
            rows.append(dict(zip(header, cells, strict=False)))
        return rows
