"""karbor-manage and karbor-status as an operator runs them."""

import os
import subprocess
import sys

BIN = os.path.dirname(sys.executable)


def run(command, *args, state):
    env = dict(os.environ, OS_DEFAULT__STATE_PATH=str(state))
    env.pop('OS_DATABASE__CONNECTION', None)
    return subprocess.run([os.path.join(BIN, command), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_db_sync_version_and_upgrade_check(tmp_path):
    state = tmp_path / 'not' / 'yet' / 'there'
    before = run('karbor-status', 'upgrade', 'check', state=state)
    assert before.returncode == 1
    assert 'karbor-manage db sync' in before.stdout
    synced = run('karbor-manage', 'db', 'sync', state=state)
    assert synced.returncode == 0, synced.stderr
    head = synced.stdout.strip().rsplit(' ', 1)[-1]
    version = run('karbor-manage', 'db', 'version', state=state)
    assert version.stdout.strip() == head
    after = run('karbor-status', 'upgrade', 'check', state=state)
    assert after.returncode == 0, after.stdout
    assert 'OK' in after.stdout
    bad = run('karbor-manage', 'db', 'sync', '--revision', 'nope',
              state=state)
    assert bad.returncode == 1
    assert 'karbor-manage:' in bad.stderr
    assert 'Traceback' not in bad.stderr


def test_upgrade_check_fails_when_nothing_would_run_schedules(tmp_path):
    import sqlalchemy as sa
    assert run('karbor-manage', 'db', 'sync', state=tmp_path).returncode == 0
    engine = sa.create_engine('sqlite:///%s' % (tmp_path / 'karbor.sqlite'))
    now = '2026-01-01 00:00:00'
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO triggers (id, project_id, name, type, properties, "
            "created_at, updated_at) VALUES ('t', 'p', 'hourly', 'time', "
            "'{}', :now, :now)"), {'now': now})
        connection.execute(sa.text(
            "INSERT INTO scheduled_operations (id, project_id, name, "
            "operation_type, trigger_id, provider_id, plan_id, "
            "operation_definition, enabled, created_at, updated_at) VALUES "
            "('s', 'p', 'nightly', 'protect', 't', 'pv', 'pl', '{}', 1, "
            ":now, :now)"), {'now': now})
    engine.dispose()
    check = run('karbor-status', 'upgrade', 'check', state=tmp_path)
    assert check.returncode == 1
    assert 'start karbor-operationengine' in check.stdout
