"""README.rst's quick start works as printed, against karbor-all."""

import json
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
    outputs = [json.loads(line)
               for line in result.stdout.strip().splitlines()]
    assert outputs[0]['providers']
    assert outputs[1] == {'protectable_type': [
        'OS::Karbor::Directory', 'OS::Karbor::MySQLDatabase',
        'OS::Karbor::PostgreSQLDatabase']}
    assert 'example' in [i['name'] for i in outputs[2]['instances']]
    assert outputs[3]['plan']['name'] == 'my plan'
    assert [p['name'] for p in outputs[4]['plans']] == ['my plan']
    assert outputs[5]['checkpoint']['status'] == 'protecting'
    checkpoint = outputs[6]['checkpoints'][0]
    assert checkpoint['status'] == 'available'
    assert checkpoint['extra_info']['reason'] == 'trying Karbor'
    task = outputs[7]['tasks'][0]
    assert (task['tag'], task['state']) == ('my-first-backup', 'succeeded')
    assert outputs[8]['operation_logs'][0]['operation_type'] == 'protect'
    assert outputs[9]['restore']['status'] == 'in_progress'
    assert outputs[10]['restores'][0]['status'] == 'success'
    assert outputs[11]['copy']['destination'] == 'second-bank'
    assert outputs[12]['copies'][0]['status'] == 'finished'
    scheduled = outputs[13]['scheduled_operation']
    assert scheduled['operation_type'] == 'retention_protect'
    assert 'T02:00:00' in scheduled['next_run_at']
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
