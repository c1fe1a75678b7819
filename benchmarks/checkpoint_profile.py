#!/usr/bin/env python3
"""Where a protection worker spends a checkpoint: cProfile in-process.

Companion of checkpoint_bench.py. Creates a database of its own on
PostgreSQL or MariaDB (dropped at the end), seeds plans of one
``OS::Karbor::Directory`` resource for the no-op provider, then, in this
process and one checkpoint at a time, accepts a protect as the API does
(without the RPC cast) and runs it as a protection worker does (claim,
flow, end). No HTTP, no RabbitMQ, no other process. Prints, per checkpoint,
the worker's CPU (all its threads) and wall time, and the SQL statements
and commits it issued; with ``--profile``, the functions with the most
cumulative time (the CPU of the flow's task threads shows up as waiting in
the thread that runs the flow).

    .venv/bin/python benchmarks/checkpoint_profile.py --db postgresql
    .venv/bin/python benchmarks/checkpoint_profile.py --db mariadb --profile
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as h  # noqa: E402

NOOP_PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'

CONFIG = """\
[DEFAULT]
state_path = {state}
debug = false

[database]
connection = {db_url}

[directory_protectable]
roots = {state}/data
"""


class SqlCounter:
    """Statements and commits of every engine of this process."""

    def __init__(self):
        import sqlalchemy as sa
        self.statements = self.commits = 0
        sa.event.listen(sa.engine.Engine, 'before_cursor_execute',
                        self._statement)
        sa.event.listen(sa.engine.Engine, 'commit', self._commit)

    def _statement(self, *args):
        self.statements += 1

    def _commit(self, *args):
        self.commits += 1


def configure(state, db_url):
    from karbor.common import config
    from karbor.db import migration
    os.makedirs(os.path.join(state, 'data', 'vol1'))
    path = os.path.join(state, 'karbor.conf')
    with open(path, 'w') as f:
        f.write(CONFIG.format(state=state, db_url=db_url))
    config.parse_args(['karbor-checkpoint-profile', '--config-file', path])
    # Migrations are not the point, and one INFO line per operation would
    # be measured too.
    for name in ('karbor', 'alembic'):
        logging.getLogger(name).setLevel(logging.WARNING)
    migration.db_sync()


class Protects:
    """Accepts and runs protects of the seeded plans, one at a time."""

    def __init__(self, plan_ids):
        from karbor import context as karbor_context
        from karbor import objects
        from karbor.protection import engine
        self.context = karbor_context.RequestContext(user_id='bench',
                                                     project_id=h.PROJECT)
        self.plans = [objects.Plan.get_by_id(self.context, plan_id,
                                             project_id=h.PROJECT)
                      for plan_id in plan_ids]
        self.engine = engine.ProtectionEngine('profile')

    def accept(self, i):
        from karbor.db import operations as db_operations
        from karbor.protection import intake
        plan = self.plans[i % len(self.plans)]
        _, operation = db_operations.accept_protect(self.context, {
            'id': str(uuid.uuid4()), 'project_id': h.PROJECT,
            'user_id': 'bench', 'provider_id': plan.provider_id,
            'plan_id': plan.id, 'plan': intake.plan_snapshot(plan),
            'extra_info': {}})
        return operation.id

    def run(self, operation_id):
        # What a worker's operation thread does with a run_operation cast.
        self.engine._run(operation_id)


def measure(protects, counter, count, profiler=None):
    cpu, wall, statements, commits = [], [], 0, 0
    for i in range(count):
        operation_id = protects.accept(i)
        before = (counter.statements, counter.commits)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        protects.run(operation_id)
        if profiler is not None:
            profiler.disable()
        wall.append((time.perf_counter() - wall0) * 1000.0)
        cpu.append((time.process_time() - cpu0) * 1000.0)
        statements += counter.statements - before[0]
        commits += counter.commits - before[1]
    return {'cpu_ms': statistics.median(cpu),
            'wall_ms': statistics.median(wall),
            'statements': statements / count, 'commits': commits / count}


def check_available(count):
    import sqlalchemy as sa

    from karbor.db import session as db_session
    with db_session.get_engine().connect() as connection:
        statuses = dict(connection.execute(sa.text(
            'SELECT status, count(*) FROM checkpoints GROUP BY status')).all())
    if statuses != {'available': count}:
        raise h.BenchError('checkpoints ended %s' % statuses)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--db', choices=('postgresql', 'mariadb'),
                   default='postgresql')
    p.add_argument('--checkpoints', type=int, default=200)
    p.add_argument('--warmup', type=int, default=20)
    p.add_argument('--profile', action='store_true',
                   help='also run them again under cProfile')
    p.add_argument('--top', type=int, default=40)
    args = p.parse_args(argv)

    db_name = 'karbor_ckpt_profile_%s' % uuid.uuid4().hex[:8]
    db_url = h.recreate_database(args.db, db_name)
    try:
        with tempfile.TemporaryDirectory(prefix='karbor-profile-') as state:
            configure(state, db_url)
            plan_ids = h.seed_plans(
                db_url, 4, NOOP_PROVIDER,
                {'id': os.path.join(state, 'data', 'vol1'),
                 'type': 'OS::Karbor::Directory', 'name': 'vol1'})
            counter = SqlCounter()
            protects = Protects(plan_ids)
            measure(protects, counter, args.warmup)
            plain = measure(protects, counter, args.checkpoints)
            h.emit('%s: %d checkpoints, one at a time, per checkpoint: '
                   'worker CPU %.1f ms, wall %.1f ms (medians); %.1f SQL '
                   'statements, %.1f commits' % (
                       args.db, args.checkpoints, plain['cpu_ms'],
                       plain['wall_ms'], plain['statements'],
                       plain['commits']))
            total = args.warmup + args.checkpoints
            if args.profile:
                profiler = cProfile.Profile()
                measure(protects, counter, args.checkpoints, profiler)
                total += args.checkpoints
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(
                    'cumulative').print_stats(args.top)
                h.emit(out.getvalue())
            check_available(total)
    finally:
        from karbor.db import session as db_session
        db_session.reset()
        h.drop_database(args.db, db_name)
    return 0


if __name__ == '__main__':
    sys.exit(main())
