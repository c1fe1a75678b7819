#!/usr/bin/env python3
"""Operation engine benchmark: many scheduled runs due at the same minute.

Starts the production setup of benchmarks/_harness.py (karbor-api, two
``karbor-protection`` workers on RabbitMQ, a fresh PostgreSQL or MariaDB
database) plus two ``karbor-operationengine`` processes (hosts engine-a and
engine-b, ``poll_interval`` 1 s), seeds ``--operations`` plans of the no-op
provider, one every-minute trigger and one ``protect`` scheduled operation
per plan, all due at the same instant, and measures:

* fired: from the first run started (checkpoint created and cast) to the
  last, and runs started per second: the engines' own pace;
* done: to the last checkpoint ``available`` (includes the workers);
* exactly once: each operation has one run for that due time and one
  checkpoint, and how the runs were split between the two engines;
* the engines' CPU time per run.

Run with the project's venv::

    .venv/bin/python benchmarks/engine_bench.py --db postgresql
"""

import argparse
import collections
import datetime
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as h  # noqa: E402

NOOP_PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'
ENGINES = ('engine-a', 'engine-b')
ENGINE_CONFIG = """
[operationengine]
poll_interval = 1
min_interval = 60
lease_seconds = 60
max_runs_per_poll = {per_poll}
"""


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--db', choices=('postgresql', 'mariadb', 'both'),
                   default='postgresql')
    p.add_argument('--operations', type=int, default=500,
                   help='scheduled operations due at the same time')
    p.add_argument('--per-poll', type=int, default=100,
                   help='[operationengine] max_runs_per_poll')
    p.add_argument('--timeout', type=int, default=300)
    p.add_argument('--keep', action='store_true')
    return p.parse_args(argv)


def seed(url, plan_ids, due):
    """One trigger and a protect operation per plan, all due at ``due``.

    The trigger fires once an hour at ``due``'s minute, so that only that
    one due time falls within the measurement.
    """
    import sqlalchemy as sa

    from karbor.db import models
    engine = sa.create_engine(url)
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    trigger_id = str(uuid.uuid4())
    try:
        with engine.begin() as conn:
            conn.execute(models.Trigger.__table__.insert(), [{
                'id': trigger_id, 'project_id': h.PROJECT,
                'user_id': 'bench', 'name': 'hourly', 'type': 'time',
                'properties': {'format': 'crontab',
                               'pattern': '%d * * * *' % due.minute,
                               'start_time': '2026-01-01T00:00:00Z',
                               'end_time': None, 'window': 1800,
                               'timezone': 'UTC'},
                'created_at': now, 'updated_at': now}])
            conn.execute(models.ScheduledOperation.__table__.insert(), [{
                'id': str(uuid.uuid4()), 'project_id': h.PROJECT,
                'user_id': 'bench', 'name': 'op-%05d' % i,
                'operation_type': 'protect', 'trigger_id': trigger_id,
                'provider_id': NOOP_PROVIDER, 'plan_id': plan_id,
                'operation_definition': {'provider_id': NOOP_PROVIDER,
                                         'plan_id': plan_id},
                'enabled': True, 'next_run_at': due,
                'created_at': now, 'updated_at': now}
                for i, plan_id in enumerate(plan_ids)])
    finally:
        engine.dispose()


def snapshot(url):
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            runs = conn.execute(sa.text(
                'SELECT scheduled_operation_id, state, owner, checkpoint_id,'
                ' started_at, updated_at FROM scheduled_runs')).all()
            checkpoints = conn.execute(sa.text(
                'SELECT id, status, created_at, finished_at FROM '
                'checkpoints')).all()
    finally:
        engine.dispose()
    return runs, checkpoints


def run_one(kind, args):
    with h.Deployment(kind, db_name='karbor_engine_bench_%s'
                      % uuid.uuid4().hex[:6],
                      protection_hosts=('worker-a', 'worker-b'),
                      keep=args.keep,
                      extra_config=ENGINE_CONFIG.format(
                          per_poll=args.per_poll)) as deploy:
        _, instances = deploy.request(
            'GET', '/v1/%s/protectables/OS::Karbor::Directory/instances'
            % h.PROJECT)
        resource = dict(instances['instances'][0])
        resource.pop('extra_info', None)
        plan_ids = h.seed_plans(deploy.db_url, args.operations,
                                NOOP_PROVIDER, {
                                    'id': resource['id'],
                                    'type': resource['type'],
                                    'name': resource['name']})
        due = datetime.datetime.now(datetime.UTC).replace(
            tzinfo=None, second=0, microsecond=0)
        seed(deploy.db_url, plan_ids, due)
        started = time.time()
        for host in ENGINES:
            deploy.procs[host] = deploy._spawn(
                'karbor-operationengine', host,
                dict(os.environ, OS_DEFAULT__HOST=host))
        deadline = time.monotonic() + args.timeout
        while True:
            runs, checkpoints = snapshot(deploy.db_url)
            done = sum(1 for c in checkpoints if c.status == 'available')
            if done >= args.operations or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        # CPU seconds of each engine so far (mostly the runs; the idle
        # polls since are a few ms each).
        cpu = {host: h._proc_cpu().get(deploy.procs[host].pid, ('', 0))[1]
               for host in ENGINES}
        runs, checkpoints = snapshot(deploy.db_url)
        started_by = {}
        for host in ENGINES:
            with open(deploy.log_path(host)) as engine_log:
                started_by[host] = sum(
                    1 for line in engine_log
                    if 'Scheduled run' in line and 'started' in line)
    per_operation = collections.Counter(r.scheduled_operation_id
                                        for r in runs)
    # Ended runs name no owner: who started each is counted from the
    # engines' logs above.
    states = collections.Counter(r.state for r in runs)
    fired_at = max(r.started_at for r in runs if r.started_at)
    first_ckpt = min(c.created_at for c in checkpoints)
    last_ckpt = max(c.created_at for c in checkpoints)
    finished = max(c.finished_at for c in checkpoints if c.finished_at)
    spawn = datetime.datetime.fromtimestamp(started, datetime.UTC).replace(
        tzinfo=None)
    result = {
        'db': kind, 'operations': args.operations,
        'runs': len(runs), 'checkpoints': len(checkpoints),
        'available': sum(1 for c in checkpoints
                         if c.status == 'available'),
        'max runs per operation': max(per_operation.values()),
        'fire s': (last_ckpt - first_ckpt).total_seconds(),
        'first run after engines start s': (first_ckpt - spawn)
        .total_seconds(),
        'runs started per s': args.operations / max(
            (last_ckpt - first_ckpt).total_seconds(), 1e-3),
        'all available after start s': (finished - spawn).total_seconds(),
        'last started_at': fired_at.isoformat(),
        'engine cpu s': cpu,
        'engine cpu ms per run': 1000 * sum(cpu.values()) / max(len(runs),
                                                               1),
        'run states': dict(states),
        'started by': started_by,
    }
    h.emit('%s: %d operations due at %sZ; %d runs, %d checkpoints '
           '(%d available), at most %d run(s) per operation'
           % (kind, args.operations, due.isoformat(), len(runs),
              len(checkpoints), result['available'],
              result['max runs per operation']))
    h.emit('  runs started over %.1f s (%.0f runs/s), first %.1f s after '
           'the engines started; all available %.1f s after'
           % (result['fire s'], result['runs started per s'],
              result['first run after engines start s'],
              result['all available after start s']))
    h.emit('  runs started by %s; run states %s' % (
        ', '.join('%s %d' % item for item in started_by.items()),
        dict(states)))
    h.emit('  engines CPU %s s (%.1f ms per run, start-up included)'
           % (' + '.join('%.2f' % cpu[e] for e in ENGINES),
              result['engine cpu ms per run']))
    return result


def main(argv=None):
    args = parse_args(argv or sys.argv[1:])
    outcome = h.run_per_database(args.db, lambda kind: run_one(kind, args))
    return outcome if isinstance(outcome, int) else 0


if __name__ == '__main__':
    sys.exit(main())
