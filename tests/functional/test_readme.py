"""README.rst's quick start works as printed, against karbor-all."""

import os
import re
import subprocess

import pytest

README = os.path.join(os.path.dirname(__file__), '..', '..', 'README.rst')


def readme_text():
    with open(README) as f:
        return f.read()


def shell_block(text):
    match = re.search(r'\.\. code-block:: shell\n\n((?:    .*\n|\n)+)', text)
    return '\n'.join(line[4:] for line in match.group(1).splitlines())


def test_curl_examples(embedded_server):
    script = shell_block(readme_text()).replace(
        'http://127.0.0.1:8799', embedded_server.url)
    lines = script.strip().splitlines()
    # Each command's output on its own line, so it can be checked.
    script = 'set -e\n' + '\n'.join(
        line if line.startswith(('export', 'PROVIDER=', 'RESOURCE=',
                                 'PLAN=', 'CHECKPOINT=', 'TRIGGER='))
        else line + '; echo' for line in lines)
    result = subprocess.run(['bash', '-c', script], capture_output=True,
                            text=True, timeout=120,
                            env=embedded_server.env)
    assert result.returncode == 0, result.stderr
    outputs = result.stdout.strip().splitlines()
    assert outputs[0].startswith('{"providers": [')
    assert outputs[1] == (
        '{"protectable_type": ["OS::Karbor::Directory", '
        '"OS::Karbor::MySQLDatabase", "OS::Karbor::PostgreSQLDatabase"]}')
    assert '"name": "example"' in outputs[2]
    assert outputs[3].startswith('{"plan": {')
    assert '"name": "my plan"' in outputs[4]
    assert '"status": "protecting"' in outputs[5]
    assert '"status": "available"' in outputs[6]
    assert '"reason": "trying Karbor"' in outputs[6]
    assert '"tag": "my-first-backup"' in outputs[7]
    assert '"state": "succeeded"' in outputs[7]
    assert '"operation_type": "protect"' in outputs[8]
    assert '"status": "in_progress"' in outputs[9]
    assert '"status": "success"' in outputs[10]
    assert '"destination": "second-bank"' in outputs[11]
    assert '"status": "finished"' in outputs[12]
    assert '"operation_type": "retention_protect"' in outputs[13]
    assert '"next_run_at": "' in outputs[13] and 'T02:00:00' in outputs[13]
    # The example directory came back, byte for byte, beside the original.
    data = os.path.join(embedded_server.state_path, 'data')
    with open(os.path.join(data, 'example', 'hello.txt'), 'rb') as f:
        original = f.read()
    with open(os.path.join(data, 'example-restored', 'hello.txt'),
              'rb') as f:
        assert f.read() == original


@pytest.mark.parametrize('needle', [
    "python3 -m venv .venv && .venv/bin/pip install -e . && "
    ".venv/bin/karbor-all",
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && "
    ".venv/bin/python -m pytest -n 2 tests",
])
def test_readme_commands_are_the_ones_ci_runs(needle):
    assert needle in readme_text()
    ci = os.path.join(os.path.dirname(README), '.ci', 'run')
    if 'pytest' in needle:
        with open(ci) as f:
            assert needle in f.read()
