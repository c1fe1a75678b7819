#!/usr/bin/env python3
"""Checkpoint benchmark of Karbor in the production setup.

Starts ``karbor-api`` (``[api] workers = 2``, ``threads = 4``) and TWO
``karbor-protection`` workers (hosts ``worker-a`` and ``worker-b``, each
``OS_DEFAULT__HOST=<host>``) on RabbitMQ, with a run-unique
``control_exchange`` and ``[protection] topic``, on a fresh PostgreSQL or
MariaDB database, seeds plans of one ``OS::Karbor::Directory`` resource for
the no-op provider, and measures:

* ``latency``    one client, one checkpoint at a time: POST
                 .../checkpoints, then GET .../checkpoints/<id> every
                 ``--poll-interval`` (10 ms) until it is ``available``.
                 Client latency = first time seen available - time of the
                 POST; server duration = its ``finished_at - created_at``.
* ``throughput`` ``--plans`` (32) plans shared by ``--clients`` (4) client
                 threads, each creating a checkpoint of each of its plans
                 as soon as the previous one of that plan has ended (one
                 protect per plan at a time), for ``--duration`` (20 s)
                 after a warm-up. One watcher thread lists the
                 ``protecting`` checkpoints every ``--watch-interval``
                 (20 ms) to learn which have ended, so that polling does
                 not eat the API's CPU. Checkpoints/s = checkpoints whose
                 ``finished_at`` falls in the measured window / window.
* ``list``       GET .../checkpoints?limit=50 (default sort) and
                 ?limit=50&plan_id=<id>, 16 wrk connections, 10 s each,
                 with 100 then 10,000 ``available`` checkpoints in the
                 table (seeded in SQL, over 2 plans), then EXPLAIN of both
                 queries on the database.

Run with the project's venv, from anywhere::

    .venv/bin/python benchmarks/checkpoint_bench.py --db postgresql
    .venv/bin/python benchmarks/checkpoint_bench.py --db both

See benchmarks/README.rst and doc/source/performance.rst.
"""

import argparse
import collections
import contextlib
import copy
import datetime
import http.client
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as h  # noqa: E402
import api_bench  # noqa: E402

NOOP_PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'
WORKER_HOSTS = ('worker-a', 'worker-b')
SCENARIOS = ('latency', 'throughput', 'list')
UUID_RE = re.compile('[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                     '[0-9a-f]{12}')
P50_TARGET_MS = 150.0


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--db', choices=('postgresql', 'mariadb', 'both'),
                   default='postgresql')
    p.add_argument('--db-name', default=None,
                   help='database created (and dropped) for the run; '
                        'default karbor_ckpt_bench_<random>')
    p.add_argument('--scenarios', default=','.join(SCENARIOS),
                   help='comma-separated subset of %s' % ','.join(SCENARIOS))
    p.add_argument('--samples', type=int, default=200,
                   help='checkpoints measured by the latency scenario')
    p.add_argument('--latency-warmup', type=int, default=10,
                   help='checkpoints created before measuring latency')
    p.add_argument('--poll-interval', type=float, default=0.010,
                   help='seconds between two GETs of the latency client')
    p.add_argument('--plans', type=int, default=32,
                   help='plans of the throughput scenario')
    p.add_argument('--clients', type=int, default=4,
                   help='client threads of the throughput scenario')
    p.add_argument('--duration', type=int, default=20,
                   help='seconds measured by the throughput scenario '
                        '(max 120)')
    p.add_argument('--warmup', type=int, default=3,
                   help='seconds of unmeasured load before the throughput '
                        'window and before each list run')
    p.add_argument('--watch-interval', type=float, default=0.020,
                   help='seconds between two lists of the throughput '
                        'watcher')
    p.add_argument('--list-sizes', default='100,10000',
                   help='checkpoint counts of the list scenario')
    p.add_argument('--list-plans', type=int, default=2,
                   help='plans the listed checkpoints are spread over '
                        '(2: the plan_id filter fills a page of 50 also '
                        'with 100 checkpoints)')
    p.add_argument('--list-duration', type=int, default=10,
                   help='seconds per list run (max 120)')
    p.add_argument('--connections', type=int, default=16,
                   help='wrk connections of the list scenario')
    p.add_argument('--page-size', type=int, default=50)
    p.add_argument('--max-concurrent-operations', type=int, default=None,
                   help='[protection] max_concurrent_operations of each '
                        'worker (default: Karbor\'s default)')
    p.add_argument('--json', metavar='FILE',
                   help='also write the results as JSON to FILE')
    p.add_argument('--py-spy', metavar='PATH',
                   help='profile the protection workers (and the API '
                        'workers) with this py-spy binary during the '
                        'latency and throughput scenarios')
    p.add_argument('--py-spy-wall', action='store_true',
                   help='sample every thread (wall time), not only the one '
                        'holding the GIL (CPU)')
    p.add_argument('--profile-dir', default='benchmark-profiles')
    p.add_argument('--keep', action='store_true',
                   help='keep the work directory and the database')
    p.add_argument('--explain', nargs=3, metavar=('CONFIG', 'PLAN', 'DB'),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.explain:
        return args
    args.scenarios = [s.strip() for s in args.scenarios.split(',')
                      if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        p.error('unknown scenarios: %s' % ', '.join(sorted(unknown)))
    args.list_sizes = sorted(int(n) for n in args.list_sizes.split(','))
    if not 1 <= args.duration <= 120 or not 1 <= args.list_duration <= 120:
        p.error('--duration and --list-duration must be 1 to 120 seconds')
    if not 0.001 <= args.poll_interval <= 1:
        p.error('--poll-interval must be between 0.001 and 1 second')
    if args.clients < 1 or args.plans < args.clients:
        p.error('--plans must be at least --clients (>= 1)')
    if args.db_name is None:
        args.db_name = 'karbor_ckpt_bench_%s' % uuid.uuid4().hex[:8]
    return args


# --------------------------------------------------------------------------
# HTTP client with one keep-alive connection

class Client:

    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, body=None):
        headers = {'X-Auth-Token': h.AUTH_TOKEN, 'Accept': 'application/json'}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers['Content-Type'] = 'application/json'
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                                       timeout=30)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
                continue
            if resp.getheader('Connection', '').lower() == 'close':
                self.close()
            return resp.status, (json.loads(raw) if raw else None)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def checkpoints_path(checkpoint_id=None, query=''):
    path = '/v1/%s/providers/%s/checkpoints' % (h.PROJECT, NOOP_PROVIDER)
    if checkpoint_id:
        path += '/' + checkpoint_id
    return path + query


def parse_time(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%S.%fZ')


def server_ms(checkpoint):
    return (parse_time(checkpoint['finished_at'])
            - parse_time(checkpoint['created_at'])).total_seconds() * 1000.0


def percentiles(values):
    values = sorted(values)
    if not values:
        return {'n': 0}
    return {'n': len(values),
            'p50': h._percentile(values, 50),
            'p90': h._percentile(values, 90),
            'p99': h._percentile(values, 99),
            'min': values[0], 'max': values[-1],
            'mean': sum(values) / len(values)}


def create_and_wait(client, plan_id, poll_interval, timeout=60):
    """One checkpoint, polled until it ends; returns a sample dict."""
    began = time.monotonic()
    status, body = client.request('POST', checkpoints_path(),
                                  {'checkpoint': {'plan_id': plan_id}})
    posted = time.monotonic()
    if status != 202:
        raise h.BenchError('POST checkpoint: %s %s' % (status, body))
    checkpoint_id = body['checkpoint']['id']
    polls = 0
    while True:
        status, body = client.request('GET', checkpoints_path(checkpoint_id))
        polls += 1
        seen = time.monotonic()
        if status != 200:
            raise h.BenchError('GET checkpoint: %s %s' % (status, body))
        checkpoint = body['checkpoint']
        if checkpoint['status'] != 'protecting':
            break
        if seen - began > timeout:
            raise h.BenchError('checkpoint %s still protecting after %ds'
                               % (checkpoint_id, timeout))
        time.sleep(poll_interval)
    if checkpoint['status'] != 'available':
        raise h.BenchError('checkpoint %s ended %s: %s' % (
            checkpoint_id, checkpoint['status'], checkpoint['error_info']))
    return {'id': checkpoint_id, 'client_ms': (seen - began) * 1000.0,
            'post_ms': (posted - began) * 1000.0,
            'server_ms': server_ms(checkpoint), 'polls': polls}


# --------------------------------------------------------------------------
# Database helpers (straight SQL on the service's database)

def _engine(dep):
    import sqlalchemy as sa
    return sa.create_engine(dep.db_url)


def owners_of(dep, checkpoint_ids):
    """{worker host: count} of the protect operations of these checkpoints.
    """
    import sqlalchemy as sa

    from karbor.db import models
    ops = models.Operation.__table__
    counts = collections.Counter()
    engine = _engine(dep)
    try:
        with engine.connect() as conn:
            ids = list(checkpoint_ids)
            for first in range(0, len(ids), 500):
                rows = conn.execute(
                    sa.select(ops.c.owner).where(
                        ops.c.checkpoint_id.in_(ids[first:first + 500]))
                ).scalars()
                for owner in rows:
                    counts[(owner or '?').split(':', 1)[0]] += 1
    finally:
        engine.dispose()
    return dict(sorted(counts.items()))


def finished_between(dep, start, end):
    """Checkpoints whose finished_at is in [start, end): statuses, server
    durations (ms) of the available ones, and their owners."""
    import sqlalchemy as sa

    from karbor.db import models
    cps = models.Checkpoint.__table__
    ops = models.Operation.__table__
    engine = _engine(dep)
    statuses = collections.Counter()
    durations = []
    owners = collections.Counter()
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(cps.c.status, cps.c.created_at, cps.c.finished_at,
                          ops.c.owner)
                .select_from(cps.outerjoin(ops,
                                           ops.c.checkpoint_id == cps.c.id))
                .where(cps.c.finished_at >= start, cps.c.finished_at < end))
            for status, created, finished, owner in rows:
                statuses[status] += 1
                if status == 'available':
                    durations.append(
                        (finished - created).total_seconds() * 1000.0)
                    owners[(owner or '?').split(':', 1)[0]] += 1
    finally:
        engine.dispose()
    return dict(statuses), durations, dict(sorted(owners.items()))


def pg_counters(dep):
    """Commits and rows written in the service's database so far
    (PostgreSQL's statistics; None on MariaDB)."""
    if dep.db_kind != 'postgresql':
        return None
    import sqlalchemy as sa
    time.sleep(1.5)  # backends report their statistics within a second
    engine = _engine(dep)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.text(
                'SELECT xact_commit, xact_rollback, tup_inserted, '
                'tup_updated, tup_deleted FROM pg_stat_database '
                'WHERE datname = current_database()')).mappings().first()
    finally:
        engine.dispose()
    return dict(row)


def retried_operations(dep):
    """Operations claimed more than once (a worker took another's over).
    """
    import sqlalchemy as sa
    engine = _engine(dep)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                'SELECT count(*) FROM operations WHERE attempts > 1'
            )).scalar()
    finally:
        engine.dispose()


def template_row(dep):
    """The newest real checkpoint row: the model for seeded ones."""
    import sqlalchemy as sa

    from karbor.db import models
    cps = models.Checkpoint.__table__
    engine = _engine(dep)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(cps).where(cps.c.status == 'available')
                .order_by(cps.c.created_at.desc()).limit(1)).mappings().first()
    finally:
        engine.dispose()
    if row is None:
        raise h.BenchError('no available checkpoint to copy')
    return dict(row)


def clear_checkpoints(dep):
    """Empty the checkpoint index and the engine's operations (list runs
    then see only the seeded rows)."""
    import sqlalchemy as sa
    engine = _engine(dep)
    try:
        with engine.begin() as conn:
            active = conn.execute(sa.text(
                "SELECT count(*) FROM operations WHERE state <> 'done'"
            )).scalar()
            if active:
                raise h.BenchError('%d operations still running' % active)
            conn.execute(sa.text('DELETE FROM operations'))
            conn.execute(sa.text('DELETE FROM checkpoints'))
    finally:
        engine.dispose()


def seed_checkpoints(dep, template, plans, first, count, batch=1000):
    """Insert checkpoints number first..first+count-1, round-robin over
    ``plans`` (ids and names), 1 ms apart, status available."""
    import sqlalchemy as sa

    from karbor.db import models
    cps = models.Checkpoint.__table__
    start = (datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
             - datetime.timedelta(hours=2))
    engine = _engine(dep)
    try:
        for low in range(first, first + count, batch):
            rows = []
            for i in range(low, min(low + batch, first + count)):
                plan_id, plan_name = plans[i % len(plans)]
                when = start + datetime.timedelta(milliseconds=i)
                row = copy.deepcopy(template)
                plan = dict(row['plan'], id=plan_id, name=plan_name)
                row.update(id=str(uuid.uuid4()), plan_id=plan_id, plan=plan,
                           status='available', created_at=when,
                           updated_at=when + datetime.timedelta(
                               microseconds=80000),
                           finished_at=when + datetime.timedelta(
                               microseconds=80000),
                           deleted_at=None, error_info=None)
                rows.append(row)
            with engine.begin() as conn:
                conn.execute(cps.insert(), rows)
        with engine.begin() as conn:
            if dep.db_kind == 'postgresql':
                conn.execute(sa.text('ANALYZE checkpoints'))
            else:
                conn.execute(sa.text('ANALYZE TABLE checkpoints'))
    finally:
        engine.dispose()


# --------------------------------------------------------------------------
# Scenarios

def profiled(args, dep, name, stack):
    if not args.py_spy:
        return
    os.makedirs(args.profile_dir, exist_ok=True)
    pids = ([(worker, pid) for worker, pid
             in dep.protection_worker_pids().items()] +
            [('api', pid) for pid in dep.api_worker_pids()])
    stack.enter_context(h.PySpy(
        args.py_spy, pids, os.path.join(
            args.profile_dir, 'checkpoint-%s-%s' % (dep.db_kind, name)),
        gil_only=not args.py_spy_wall))


def run_latency(args, dep, plan_ids):
    client = Client(dep.port)
    h.log('latency: %d warm-up + %d measured checkpoints, one at a time, '
          'polled every %.0f ms', args.latency_warmup, args.samples,
          args.poll_interval * 1000)
    for i in range(args.latency_warmup):
        create_and_wait(client, plan_ids[i % len(plan_ids)],
                        args.poll_interval)
    samples = []
    before = pg_counters(dep)
    with contextlib.ExitStack() as stack:
        profiled(args, dep, 'latency', stack)
        cpu = stack.enter_context(h.CpuMeter(dep))
        for i in range(args.samples):
            samples.append(create_and_wait(
                client, plan_ids[i % len(plan_ids)], args.poll_interval))
    client.close()
    after = pg_counters(dep)
    result = {
        'scenario': 'latency', 'poll_interval_ms': args.poll_interval * 1000,
        'client_ms': percentiles([s['client_ms'] for s in samples]),
        'server_ms': percentiles([s['server_ms'] for s in samples]),
        'post_ms': percentiles([s['post_ms'] for s in samples]),
        'polls_mean': sum(s['polls'] for s in samples) / len(samples),
        'owners': owners_of(dep, [s['id'] for s in samples]),
        'cpu': cpu.result,
    }
    if before and after:
        # Every commit and row write of the run (API and workers; the
        # GETs of the poller end with a rollback, not a commit).
        result['db_per_checkpoint'] = {
            k: (after[k] - before[k]) / len(samples) for k in after}
    wall = cpu.result['wall_seconds']
    per = cpu.result['per_component_pct_of_core']
    result['protection_cpu_ms_per_checkpoint'] = (
        per.get('karbor-protection', 0.0) * wall * 10.0 / len(samples))
    h.log('latency: client p50 %.1f ms p99 %.1f ms; server p50 %.1f ms '
          'p99 %.1f ms; workers %s', result['client_ms']['p50'],
          result['client_ms']['p99'], result['server_ms']['p50'],
          result['server_ms']['p99'], result['owners'])
    return result


class Throughput:
    """Clients creating checkpoints of their own plans; one watcher."""

    def __init__(self, args, dep, plan_ids):
        self.args = args
        self.dep = dep
        self.lock = threading.Lock()
        self.in_flight = {}        # checkpoint id -> (plan, client, t0, t1)
        self.free = [queue.Queue() for _ in range(args.clients)]
        for i, plan_id in enumerate(plan_ids):
            self.free[i % args.clients].put(plan_id)
        self.stop_posting = threading.Event()
        self.stop_watching = threading.Event()
        self.done = []             # (t_seen, t_post_start, id)
        self.posts = 0
        self.post_ms = []
        self.errors = []

    def client(self, index):
        http_client = Client(self.dep.port)
        free = self.free[index]
        try:
            while not self.stop_posting.is_set():
                try:
                    plan_id = free.get(timeout=0.05)
                except queue.Empty:
                    continue
                began = time.monotonic()
                status, body = http_client.request(
                    'POST', checkpoints_path(),
                    {'checkpoint': {'plan_id': plan_id}})
                posted = time.monotonic()
                if status != 202:
                    self.errors.append('POST %s %s' % (status, body))
                    free.put(plan_id)
                    time.sleep(0.05)
                    continue
                with self.lock:
                    self.in_flight[body['checkpoint']['id']] = (
                        plan_id, index, began, posted)
                    self.posts += 1
                    self.post_ms.append((posted - began) * 1000.0)
        except Exception as err:  # noqa: BLE001 - reported at the end
            self.errors.append('client %d: %r' % (index, err))
        finally:
            http_client.close()

    def watcher(self):
        http_client = Client(self.dep.port)
        path = checkpoints_path(query='?status=protecting&limit=1000')
        try:
            while not self.stop_watching.is_set():
                asked = time.monotonic()
                status, body = http_client.request('GET', path)
                seen = time.monotonic()
                if status != 200:
                    self.errors.append('GET list %s %s' % (status, body))
                    time.sleep(0.1)
                    continue
                protecting = {c['id'] for c in body['checkpoints']}
                with self.lock:
                    # Only those POSTed before this list was asked for.
                    ended = [cid for cid, item in self.in_flight.items()
                             if item[3] < asked and cid not in protecting]
                    for cid in ended:
                        plan_id, index, began, _ = self.in_flight.pop(cid)
                        self.done.append((seen, began, cid))
                        self.free[index].put(plan_id)
                time.sleep(self.args.watch_interval)
        except Exception as err:  # noqa: BLE001 - reported at the end
            self.errors.append('watcher: %r' % (err,))
        finally:
            http_client.close()

    def run(self):
        args = self.args
        threads = [threading.Thread(target=self.client, args=(i,),
                                    daemon=True)
                   for i in range(args.clients)]
        watcher = threading.Thread(target=self.watcher, daemon=True)
        watcher.start()
        for t in threads:
            t.start()
        try:
            time.sleep(args.warmup)
            with contextlib.ExitStack() as stack:
                profiled(args, self.dep, 'throughput', stack)
                cpu = stack.enter_context(h.CpuMeter(self.dep))
                wall_start = datetime.datetime.now(
                    datetime.UTC).replace(tzinfo=None)
                mono_start = time.monotonic()
                posts_start = self.posts
                time.sleep(args.duration)
                mono_end = time.monotonic()
                posts_end = self.posts
                wall_end = datetime.datetime.now(
                    datetime.UTC).replace(tzinfo=None)
        finally:
            self.stop_posting.set()
            for t in threads:
                t.join(timeout=35)
            # Let what is in flight end, so no operation is left running.
            deadline = time.monotonic() + 60
            while self.in_flight and time.monotonic() < deadline:
                time.sleep(0.1)
            self.stop_watching.set()
            watcher.join(timeout=35)
        if self.in_flight:
            self.errors.append('%d checkpoints still protecting after the '
                               'run' % len(self.in_flight))
        window = mono_end - mono_start
        statuses, durations, owners = finished_between(
            self.dep, wall_start, wall_end)
        seen = [(t_seen - began) * 1000.0 for t_seen, began, _ in self.done
                if mono_start <= t_seen < mono_end]
        per = cpu.result['per_component_pct_of_core']
        available = statuses.get('available', 0)
        return {
            'scenario': 'throughput', 'plans': args.plans,
            'clients': args.clients, 'window_s': window,
            'watch_interval_ms': args.watch_interval * 1000,
            'server_checkpoints_per_s': available / window,
            'client_checkpoints_per_s': len(seen) / window,
            'posts_per_s': (posts_end - posts_start) / window,
            'statuses': statuses, 'owners': owners,
            'server_ms': percentiles(durations),
            'client_ms': percentiles(seen),
            'post_ms': percentiles(self.post_ms),
            'errors': self.errors[:5], 'error_count': len(self.errors),
            'cpu': cpu.result,
            'protection_cpu_ms_per_checkpoint': (
                per.get('karbor-protection', 0.0) * window * 10.0
                / max(available, 1)),
        }


def run_throughput(args, dep, plan_ids):
    h.log('throughput: %d plans, %d clients, %ds (+%ds warm-up)',
          len(plan_ids), args.clients, args.duration, args.warmup)
    result = Throughput(args, dep, plan_ids).run()
    h.log('throughput: %.1f checkpoints/s (server), %.1f (client), server '
          'p50 %.1f ms p99 %.1f ms, workers %s, %d errors',
          result['server_checkpoints_per_s'],
          result['client_checkpoints_per_s'], result['server_ms']['p50'],
          result['server_ms']['p99'], result['owners'],
          result['error_count'])
    if result['error_count']:
        h.log('throughput errors: %s', result['errors'])
    return result


def run_explain(dep, plan_id):
    """EXPLAIN of the SQL karbor.db.checkpoints.checkpoint_list issues,
    captured in a child process configured like the services."""
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), '--explain',
         dep.config_file, plan_id, dep.db_kind],
        capture_output=True, text=True, timeout=120)
    if out.returncode:
        raise h.BenchError('explain failed:\n%s' % out.stderr[-3000:])
    line = next(text for text in out.stdout.splitlines()
                if text.startswith('KARBOR_EXPLAIN '))
    return json.loads(line.split(' ', 1)[1])


def explain_main(config_file, plan_id, db_kind):
    import sqlalchemy as sa

    from karbor import context as karbor_context
    from karbor.common import config
    from karbor.db import checkpoints as db_checkpoints
    from karbor.db import session as db_session
    config.parse_args(['karbor-bench-explain', '--config-file', config_file])
    engine = db_session.get_engine()
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if 'FROM checkpoints' in statement:
            captured.append((statement, parameters))

    # Every engine: the DB layer may read through another one than the
    # writers' (karbor.db.session).
    sa.event.listen(sa.engine.Engine, 'before_cursor_execute', capture)
    ctxt = karbor_context.get_admin_context()
    results = {}
    for name, filters in (('default', {}), ('plan_id', {'plan_id': plan_id})):
        del captured[:]
        db_checkpoints.checkpoint_list(
            ctxt, 'bench', NOOP_PROVIDER, filters=filters,
            sort=[('created_at', 'desc')], limit=50)
        statement, parameters = captured[-1]
        plans = []
        with engine.connect() as conn:
            if db_kind == 'postgresql':
                prefixes = ['EXPLAIN (ANALYZE, BUFFERS) ']
            else:
                prefixes = ['EXPLAIN ', 'ANALYZE ']
            for prefix in prefixes:
                result = conn.exec_driver_sql(prefix + statement, parameters)
                rows = result.fetchall()
                if db_kind == 'postgresql':
                    plans.append('\n'.join(r[0] for r in rows))
                else:
                    plans.append('\n'.join(
                        ', '.join('%s=%s' % (k, v) for k, v in
                                  zip(result.keys(), r, strict=True)
                                  if v is not None)
                        for r in rows))
            # Timing of the query alone (warm cache), server round trip.
            began = time.perf_counter()
            for _ in range(20):
                conn.exec_driver_sql(statement, parameters).fetchall()
            query_ms = (time.perf_counter() - began) * 1000.0 / 20
        results[name] = {'sql': statement, 'parameters': repr(parameters),
                         'plans': plans, 'query_ms': query_ms}
    h.emit('KARBOR_EXPLAIN ' + json.dumps(results))


def run_list(args, dep, plan_ids):
    if not h.have_wrk():
        raise h.BenchError('the list scenario needs wrk. ' + h.WRK_INSTALL)
    template = template_row(dep)
    clear_checkpoints(dep)
    plans = [(pid, 'seed-%05d' % i) for i, pid in
             enumerate(plan_ids[:args.list_plans])]
    results = []
    seeded = 0
    base = 'http://127.0.0.1:%d%s' % (dep.port, checkpoints_path())
    explain = None
    for size in args.list_sizes:
        h.log('list: seeding checkpoints %d..%d over %d plans', seeded,
              size - 1, len(plans))
        seed_checkpoints(dep, template, plans, seeded, size - seeded)
        seeded = size
        for name, query in (
                ('default', '?limit=%d' % args.page_size),
                ('plan_id', '?limit=%d&plan_id=%s' % (args.page_size,
                                                      plans[0][0]))):
            status, body = dep.request('GET', checkpoints_path(query=query))
            expected = min(args.page_size, size if name == 'default'
                           else size // len(plans))
            if status != 200 or len(body['checkpoints']) != expected:
                raise h.BenchError('GET %s: %s, %d checkpoints' % (
                    query, status, len((body or {}).get('checkpoints', []))))
            if args.warmup:
                h.run_wrk(base + query, 'get', None, args.connections,
                          args.warmup)
            with h.CpuMeter(dep) as cpu:
                res = h.run_wrk(base + query, 'get', None, args.connections,
                                args.list_duration)
            per = cpu.result['per_component_pct_of_core']
            results.append({
                'scenario': 'list', 'filter': name, 'total': size,
                'matching': size if name == 'default' else size // len(plans),
                'result': res._asdict(), 'cpu': cpu.result,
                'api_cpu_ms_per_request': (
                    10.0 * per.get('karbor-api', 0.0) / res.rps
                    if res.rps else 0.0),
                'db_cpu_ms_per_request': (
                    10.0 * per.get('database', 0.0) / res.rps
                    if res.rps else 0.0)})
            h.log('list %s of %d: %.0f req/s, p50 %.1f ms, p99 %.1f ms, '
                  '%d non-2xx, %d socket errors', name, size, res.rps,
                  res.p50_ms, res.p99_ms, res.non2xx, res.socket_errors)
        if size == args.list_sizes[-1]:
            explain = run_explain(dep, plans[0][0])
    return results, explain


def run_one_database(args, db_kind):
    options = {}
    if args.max_concurrent_operations:
        options['max_concurrent_operations'] = args.max_concurrent_operations
    out = {'db': db_kind, 'results': [], 'explain': None}
    with h.Deployment(db_kind, db_name=args.db_name, keep=args.keep,
                      protection_hosts=WORKER_HOSTS,
                      protection_options=options) as dep:
        out['db_version'] = h.database_version(dep.db_url).split(',')[0]
        provider_id, resource = api_bench.discover(dep)
        if provider_id != NOOP_PROVIDER:
            providers = dep.get_json('/v1/%s/providers' % h.PROJECT)
            if NOOP_PROVIDER not in [p['id'] for p in
                                     providers['providers']]:
                raise h.BenchError('no-op provider %s not configured'
                                   % NOOP_PROVIDER)
        count = max(args.plans, args.list_plans, 1)
        h.log('seeding %d plans in SQL', count)
        plan_ids = h.seed_plans(dep.db_url, count, NOOP_PROVIDER, resource)
        # One checkpoint end to end before measuring anything.
        create_and_wait(Client(dep.port), plan_ids[0], args.poll_interval)
        if 'latency' in args.scenarios:
            out['results'].append(run_latency(args, dep, plan_ids))
        if 'throughput' in args.scenarios:
            out['results'].append(run_throughput(args, dep,
                                                 plan_ids[:args.plans]))
        out['operations_claimed_twice'] = retried_operations(dep)
        if 'list' in args.scenarios:
            results, out['explain'] = run_list(args, dep, plan_ids)
            out['results'].extend(results)
        for name in dep.protection_worker_pids():
            kinds = collections.Counter()
            with open(dep.log_path(name), errors='replace') as f:
                for line in f:
                    # "<date> <time> <pid> <level> <logger> [ids] message"
                    # (traceback lines have no "[ids]": skipped).
                    head, sep, message = line.partition('] ')
                    fields = head.split()
                    if not sep or len(fields) < 5 or \
                            fields[3] not in ('ERROR', 'WARNING'):
                        continue
                    message = UUID_RE.sub('<id>', message)
                    kinds['%s %s: %s' % (fields[3], fields[4],
                                         message[:110])] += 1
            if kinds:
                out.setdefault('worker_log', {})[name] = dict(kinds)
                for kind, count in kinds.most_common(5):
                    h.log('%s logged %d x %s', name, count, kind.strip())
    return out


# --------------------------------------------------------------------------
# Report

def fmt_cpu(cpu):
    return ', '.join('%s %.0f' % (k, v) for k, v in
                     cpu['per_component_pct_of_core'].items() if v >= 1) + \
        ' (workers %s)' % '+'.join(
            '%.0f' % v for v in
            cpu['karbor_protection_by_pid_pct_of_core'].values())


def print_report(args, runs, started):
    h.emit()
    h.emit('Karbor checkpoint benchmark  %s' % started.strftime(
        '%Y-%m-%d %H:%M UTC'))
    h.emit('machine:   %s' % api_bench.machine_description())
    h.emit('setup:     karbor-api 2 workers x 4 threads, 2 '
           'karbor-protection (worker-a, worker-b), RabbitMQ, no-op '
           'provider, plans of 1 resource')
    h.emit('command:   %s' % ' '.join([os.path.basename(sys.executable)] +
                                      sys.argv))
    for run in runs:
        h.emit()
        h.emit('== %s (%s)' % (run['db'], run['db_version']))
        for r in run['results']:
            if r['scenario'] == 'latency':
                c, s, p = r['client_ms'], r['server_ms'], r['post_ms']
                h.emit('latency    %d checkpoints one at a time, GET every '
                       '%.0f ms (%.1f GETs each)' % (
                           c['n'], r['poll_interval_ms'], r['polls_mean']))
                h.emit('  client create->seen available  p50 %6.1f  p90 '
                       '%6.1f  p99 %6.1f  max %6.1f ms' % (
                           c['p50'], c['p90'], c['p99'], c['max']))
                h.emit('  server finished_at-created_at  p50 %6.1f  p90 '
                       '%6.1f  p99 %6.1f  max %6.1f ms' % (
                           s['p50'], s['p90'], s['p99'], s['max']))
                h.emit('  POST (202) response time        p50 %6.1f  p99 '
                       '%6.1f ms' % (p['p50'], p['p99']))
                h.emit('  run by %s; protection CPU %.1f ms/checkpoint; '
                       'CPU %% of a core: %s' % (
                           r['owners'], r['protection_cpu_ms_per_checkpoint'],
                           fmt_cpu(r['cpu'])))
                if r.get('db_per_checkpoint'):
                    h.emit('  database per checkpoint: %s' % ', '.join(
                        '%s %.1f' % item
                        for item in r['db_per_checkpoint'].items()))
                h.emit('  target p50 <= %.0f ms: client %s, server %s' % (
                    P50_TARGET_MS,
                    'met' if c['p50'] <= P50_TARGET_MS else 'NOT met',
                    'met' if s['p50'] <= P50_TARGET_MS else 'NOT met'))
            elif r['scenario'] == 'throughput':
                s, c = r['server_ms'], r['client_ms']
                h.emit('throughput %d plans, %d clients, %.0f s: %.1f '
                       'checkpoints/s available (server), %.1f seen by the '
                       'clients, %.1f POSTs/s' % (
                           r['plans'], r['clients'], r['window_s'],
                           r['server_checkpoints_per_s'],
                           r['client_checkpoints_per_s'], r['posts_per_s']))
                h.emit('  server finished_at-created_at  p50 %6.1f  p90 '
                       '%6.1f  p99 %6.1f  max %6.1f ms' % (
                           s.get('p50', 0), s.get('p90', 0),
                           s.get('p99', 0), s.get('max', 0)))
                h.emit('  client POST->seen ended        p50 %6.1f  p90 '
                       '%6.1f  p99 %6.1f ms (watcher every %.0f ms)' % (
                           c.get('p50', 0), c.get('p90', 0), c.get('p99', 0),
                           r['watch_interval_ms']))
                h.emit('  statuses %s; run by %s; errors %d; protection CPU '
                       '%.1f ms/checkpoint' % (
                           r['statuses'], r['owners'], r['error_count'],
                           r['protection_cpu_ms_per_checkpoint']))
                h.emit('  CPU %% of a core: %s' % fmt_cpu(r['cpu']))
        h.emit('operations claimed more than once: %d' %
               run['operations_claimed_twice'])
        for worker, kinds in sorted(run.get('worker_log', {}).items()):
            for kind, count in sorted(kinds.items(), key=lambda i: -i[1])[:4]:
                h.emit('%s log: %d x %s' % (worker, count, kind.strip()))
        lists = [r for r in run['results'] if r['scenario'] == 'list']
        if lists:
            h.emit('list       %d wrk connections, %d s each' % (
                args.connections, args.list_duration))
            h.emit('  %-8s %7s %8s %7s %7s %7s %7s %8s %7s' % (
                'filter', 'total', 'matching', 'req/s', 'p50 ms', 'p99 ms',
                'non2xx', 'api ms/r', 'db ms/r'))
            for r in lists:
                res = r['result']
                h.emit('  %-8s %7d %8d %7.0f %7.1f %7.1f %7d %8.2f %7.2f' % (
                    r['filter'], r['total'], r['matching'], res['rps'],
                    res['p50_ms'], res['p99_ms'],
                    res['non2xx'] + res['socket_errors'],
                    r['api_cpu_ms_per_request'], r['db_cpu_ms_per_request']))
        if run['explain']:
            for name, e in run['explain'].items():
                h.emit()
                h.emit('EXPLAIN (%s, %d checkpoints, query alone %.2f ms):'
                       % (name, args.list_sizes[-1], e['query_ms']))
                h.emit('  ' + ' '.join(e['sql'].split()))
                for plan in e['plans']:
                    for line in plan.splitlines():
                        h.emit('    ' + line)
    invalid = [r for run in runs for r in run['results']
               if r.get('error_count') or
               (r['scenario'] == 'list' and
                (r['result']['non2xx'] or r['result']['socket_errors']))]
    for r in invalid:
        h.emit('INVALID: %s %s' % (r['scenario'], r.get('errors') or
                                   r['result']['first_bad']))
    return not invalid


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.explain:
        explain_main(*args.explain)
        return 0
    outcome = h.run_per_database(
        args.db, lambda kind: run_one_database(args, kind))
    if isinstance(outcome, int):
        return outcome
    started, runs = outcome
    valid = print_report(args, runs, started)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'started': started.isoformat(),
                       'machine': api_bench.machine_description(),
                       'argv': sys.argv, 'runs': runs}, f, indent=2,
                      default=str)
    return 0 if valid else 1


if __name__ == '__main__':
    sys.exit(main())
