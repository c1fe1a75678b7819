#!/usr/bin/env python3
"""Operation-log listing benchmark: API latency vs. the bare SQL query.

Starts the production-like deployment of ``_harness.Deployment``
(``karbor-api`` under granian, 2 workers, one ``karbor-protection``,
RabbitMQ, a fresh PostgreSQL or MariaDB database named
``karbor_oplog_bench_*`` that is dropped at the end), then, in two phases:

1. seeds 10,000 operation logs in the project ``bench`` only (10,000 rows
   in the table) and measures;
2. seeds 990,000 more in 99 other projects (1,000,000 rows in the table,
   still 10,000 in ``bench``, interleaved in time with the others) and
   measures again.

The rows of ``bench`` are the same in both phases, so every scenario
returns the same page: only the size of the table changes.

Scenarios, each ``GET /v1/bench/operation_logs?...`` (``X-Auth-Token:
bench:bench``), sorted ``started_at:desc``, ``limit=50``:

* ``filtered``      ``operation_type=protect&status=in:available,error``
* ``range``         ``started_at=gte:<t1>&started_at=lt:<t2>``, a window in
                    the middle of the project's history
* ``deep_marker``   ``marker=<the 9,000th newest log of the project>``
* ``deep_filtered`` the ``filtered`` query with a marker 5,000 matching rows
                    deep

For each one: ``wrk`` with 16 keep-alive connections (and with 1, where
there is no queueing, so the figure compares with a serial query), p50/p99,
and CPU of karbor-api per request; then the very SQL statements the API ran
for that request (captured from SQLAlchemy in a child process that calls
the WSGI application configured like the service) are run N times through
the DB driver alone (raw DBAPI cursor, fetch all rows), p50/p99, and the
plans are shown (``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL, ``EXPLAIN``
+ ``ANALYZE FORMAT=JSON`` on MariaDB) with the index each statement uses.

    .venv/bin/python benchmarks/operation_log_bench.py --db both \\
        --json oplog.json --explain-file oplog-explain.txt

Only 127.0.0.1 is loaded; every load is bounded in time.
"""

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as h  # noqa: E402
import api_bench  # noqa: E402

P99_TARGET_MS = 50.0
RATIO_TARGET = 3.0
PAGE = 50
FILTER_QUERY = 'operation_type=protect&status=in:available,error'
SCENARIOS = ('filtered', 'range', 'deep_marker', 'deep_filtered')
COLUMNS = ('id', 'project_id', 'user_id', 'request_id', 'task_tag',
           'operation_id', 'operation_type', 'checkpoint_id', 'plan_id',
           'provider_id', 'restore_id', 'scheduled_operation_id', 'status',
           'started_at', 'ended_at', 'error_info', 'extra_info',
           'deleted_at', 'created_at', 'updated_at')
# (type, share) and per type (running, success, failure) as in
# karbor.common.constants.OPERATION_LOG_STATUSES.
TYPE_MIX = (('protect', 0.60), ('delete', 0.15), ('restore', 0.15),
            ('copy', 0.10))
STATUSES = {'protect': ('protecting', 'available', 'error'),
            'delete': ('deleting', 'deleted', 'error-deleting'),
            'restore': ('restoring', 'restored', 'error-restoring'),
            'copy': ('copying', 'success', 'error')}
STEP_US = 2_500_000  # 2.5 s between two logs of the whole table


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--db', choices=('postgresql', 'mariadb', 'both'),
                   default='postgresql')
    p.add_argument('--projects', type=int, default=100,
                   help='projects in the big phase (bench + N-1 others)')
    p.add_argument('--per-project', type=int, default=10000,
                   help='logs per project')
    p.add_argument('--duration', type=int, default=10,
                   help='seconds of wrk per scenario at 16 connections')
    p.add_argument('--serial-duration', type=int, default=5,
                   help='seconds of wrk per scenario at 1 connection '
                        '(0: skip)')
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--connections', type=int, default=16)
    p.add_argument('--sql-iterations', type=int, default=500,
                   help='bare SQL executions per scenario')
    p.add_argument('--phases', default='small,big',
                   help='small (10k rows) and/or big (1M rows)')
    p.add_argument('--scenarios', default=','.join(SCENARIOS))
    p.add_argument('--json', metavar='FILE')
    p.add_argument('--explain-file', metavar='FILE',
                   help='write the full SQL and plans there')
    p.add_argument('--keep', action='store_true')
    p.add_argument('--capture', nargs=3, metavar=('CONFIG', 'SPEC', 'OUT'),
                   help=argparse.SUPPRESS)  # internal: child process
    args = p.parse_args(argv)
    args.phases = [x for x in args.phases.split(',') if x]
    args.scenarios = [x for x in args.scenarios.split(',') if x]
    if not 1 <= args.duration <= 60 or not 0 <= args.serial_duration <= 60:
        p.error('durations must be at most 60 s')
    return args


# --------------------------------------------------------------------------
# Data


def project_name(p):
    return h.PROJECT if p == 0 else 'oplog-proj-%02d' % p


def _uuid(rnd):
    return str(uuid.UUID(int=rnd.getrandbits(128), version=4))


def make_rows(projects, project_indexes, per_project, base):
    """Yield the rows of ``project_indexes`` (tuples in COLUMNS order).

    Row i of project p is the (i * projects + p)-th log of the table:
    started_at values are distinct and the projects interleave in time.
    The last 20 logs of a project are still running.
    """
    types = [t for t, _ in TYPE_MIX]
    weights = [w for _, w in TYPE_MIX]
    for p in project_indexes:
        rnd = random.Random(p)
        project = project_name(p)
        plans = [_uuid(rnd) for _ in range(20)]
        providers = [_uuid(random.Random(-1)), _uuid(random.Random(-2))]
        scheduled = [_uuid(rnd) for _ in range(10)]
        for i in range(per_project):
            g = i * projects + p
            started = base + datetime.timedelta(
                microseconds=g * STEP_US + rnd.randrange(1000000))
            op_type = rnd.choices(types, weights)[0]
            running, done, failed = STATUSES[op_type]
            if i >= per_project - 20:
                status, ended = running, None
            else:
                status = failed if rnd.random() < 0.1 else done
                ended = started + datetime.timedelta(
                    seconds=rnd.randrange(30, 900))
            scheduled_id = (rnd.choice(scheduled) if op_type == 'protect'
                            and rnd.random() < 0.5 else None)
            yield (
                _uuid(rnd), project, 'user-%d' % rnd.randrange(5),
                'req-' + _uuid(rnd), 'scheduled' if scheduled_id else None,
                _uuid(rnd), op_type, _uuid(rnd), rnd.choice(plans),
                rnd.choice(providers),
                _uuid(rnd) if op_type == 'restore' else None, scheduled_id,
                status, started, ended,
                ('Resource %s failed: timed out' % _uuid(rnd)
                 if status in ('error', 'error-deleting', 'error-restoring')
                 else None),
                json.dumps({'resources': rnd.randrange(1, 8),
                            'bytes': rnd.randrange(10 ** 9)},
                           separators=(',', ':'), sort_keys=True),
                None, started, ended or started)


def _text(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.strftime('%Y-%m-%d %H:%M:%S.%f')
    return value


def seed(dep, projects, project_indexes, per_project, base, chunk=100000):
    """Bulk-load rows: COPY on PostgreSQL, LOAD DATA on MariaDB."""
    import sqlalchemy as sa
    began = time.monotonic()
    total = 0
    rows = make_rows(projects, project_indexes, per_project, base)
    engine = sa.create_engine(
        dep.db_url, connect_args=({'local_infile': True}
                                  if dep.db_kind == 'mariadb' else {}))
    try:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            while True:
                batch = [next(rows, None) for _ in range(chunk)]
                batch = [r for r in batch if r is not None]
                if not batch:
                    break
                if dep.db_kind == 'postgresql':
                    h.copy_csv(cur, 'operation_logs', COLUMNS, batch, _text)
                else:
                    # The clustered index in primary-key order loads much
                    # faster into InnoDB.
                    batch.sort(key=lambda r: r[0])
                    with tempfile.NamedTemporaryFile(
                            'w', suffix='.tsv', delete=False) as f:
                        for row in batch:
                            f.write('\t'.join(
                                '\\N' if v is None else
                                str(_text(v)).replace('\\', '\\\\')
                                .replace('\t', '\\t').replace('\n', '\\n')
                                for v in row) + '\n')
                    try:
                        cur.execute(
                            "LOAD DATA LOCAL INFILE %%s INTO TABLE "
                            "operation_logs CHARACTER SET utf8mb4 (%s)"
                            % ', '.join(COLUMNS), (f.name,))
                    finally:
                        os.unlink(f.name)
                raw.commit()
                total += len(batch)
                h.log('seeded %d rows (%.0f s)', total,
                      time.monotonic() - began)
            cur.execute('ANALYZE operation_logs' if dep.db_kind ==
                        'postgresql' else 'ANALYZE TABLE operation_logs')
            if dep.db_kind == 'postgresql':
                raw.commit()
                # Set the visibility map, as autovacuum would on a live
                # system (index-only scans).
                raw.dbapi_connection.autocommit = True
                cur = raw.cursor()
                cur.execute('VACUUM operation_logs')
                raw.dbapi_connection.autocommit = False
            else:
                cur.fetchall()
                raw.commit()
        finally:
            raw.close()
    finally:
        engine.dispose()
    return total, time.monotonic() - began


def bench_rows(dep):
    """(id, started_at, operation_type, status) of bench, newest first."""
    import sqlalchemy as sa
    engine = sa.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                'SELECT id, started_at, operation_type, status FROM '
                'operation_logs WHERE project_id = :p ORDER BY started_at '
                'DESC, id DESC'), {'p': h.PROJECT}).fetchall()
    finally:
        engine.dispose()


def table_size(dep):
    import sqlalchemy as sa
    engine = sa.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.text(
                'SELECT count(*) FROM operation_logs')).scalar()
            if dep.db_kind == 'postgresql':
                size = conn.execute(sa.text(
                    "SELECT pg_total_relation_size('operation_logs')"
                )).scalar()
            else:
                size = conn.execute(sa.text(
                    'SELECT data_length + index_length FROM '
                    'information_schema.tables WHERE table_schema = '
                    'DATABASE() AND table_name = \'operation_logs\''
                )).scalar()
            return count, int(size or 0)
    finally:
        engine.dispose()


def iso(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def scenario_queries(rows):
    """{name: (query string, expected first id)} from bench's rows."""
    matching = [r for r in rows if r.operation_type == 'protect'
                and r.status in ('available', 'error')]
    # A window of about 1,000 logs, 4,000 logs deep.
    t2, t1 = rows[4000].started_at, rows[5000].started_at
    queries = {
        'filtered': ('%s&sort=started_at:desc&limit=%d'
                     % (FILTER_QUERY, PAGE), matching[0].id),
        'range': ('started_at=gte:%s&started_at=lt:%s&sort=started_at:desc'
                  '&limit=%d' % (iso(t1), iso(t2), PAGE), rows[4001].id),
        'deep_marker': ('sort=started_at:desc&limit=%d&marker=%s'
                        % (PAGE, rows[8999].id), rows[9000].id),
        'deep_filtered': ('%s&sort=started_at:desc&limit=%d&marker=%s'
                          % (FILTER_QUERY, PAGE, matching[4999].id),
                          matching[5000].id),
    }
    return queries, len(matching)


# --------------------------------------------------------------------------
# Child process: the API's own SQL, bare timing, EXPLAIN


def _pct(values, pct):
    values = sorted(values)
    rank = max(int(round(pct / 100.0 * len(values) + 0.5)) - 1, 0)
    return values[min(rank, len(values) - 1)]


def _index_names(db_kind, plan_text):
    if db_kind == 'postgresql':
        found = re.findall(r'Bitmap Index Scan on (\w+)|Index(?: Only)? '
                           r'Scan(?: Backward)? using (\w+)', plan_text)
        return sorted({a or b for a, b in found})
    return sorted(set(re.findall(r'"key": "(\w+)"', plan_text)))


def capture_main(config_file, spec_file, out_file):
    import sqlalchemy as sa
    import webob

    from karbor.api import app
    from karbor.common import config
    from karbor.db import session as db_session
    with open(spec_file) as f:
        spec = json.load(f)
    db_kind, iterations = spec['db_kind'], spec['iterations']
    config.parse_args(['karbor-oplog-bench', '--config-file', config_file])
    application = app.setup_app()
    engine = db_session.get_engine()
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if 'operation_logs' in statement:
            captured.append((statement, parameters))

    # Every engine: reads go through the autocommit read engine, not the
    # writers' (karbor.db.session).
    sa.event.listen(sa.engine.Engine, 'before_cursor_execute', capture)
    headers = {'X-Auth-Token': h.AUTH_TOKEN, 'Accept': 'application/json'}
    results = {}
    for name, query in spec['queries'].items():
        path = '/v1/%s/operation_logs?%s' % (h.PROJECT, query)
        for _ in range(20):  # warm the app's caches and compiled SQL
            resp = webob.Request.blank(path, headers=headers).get_response(
                application)
        del captured[:]
        resp = webob.Request.blank(path, headers=headers).get_response(
            application)
        if resp.status_int != 200:
            raise SystemExit('%s: %s %s' % (path, resp.status,
                                            resp.body[:300]))
        statements = list(captured)
        # The application alone, one thread, no HTTP: its serial time.
        app_ms = []
        for _ in range(min(iterations, 200)):
            began = time.perf_counter()
            webob.Request.blank(path, headers=headers).get_response(
                application)
            app_ms.append((time.perf_counter() - began) * 1000.0)
        # The same statements through the driver alone.
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for _ in range(20):
                for statement, parameters in statements:
                    cur.execute(statement, parameters)
                    cur.fetchall()
            raw.rollback()
            per_statement = [[] for _ in statements]
            total = []
            for _ in range(iterations):
                began = time.perf_counter()
                for k, (statement, parameters) in enumerate(statements):
                    t0 = time.perf_counter()
                    cur.execute(statement, parameters)
                    cur.fetchall()
                    per_statement[k].append(
                        (time.perf_counter() - t0) * 1000.0)
                total.append((time.perf_counter() - began) * 1000.0)
            raw.rollback()
            plans = []
            for statement, parameters in statements:
                texts = []
                if db_kind == 'postgresql':
                    prefixes = ['EXPLAIN (ANALYZE, BUFFERS) ']
                else:
                    prefixes = ['EXPLAIN ', 'ANALYZE FORMAT=JSON ']
                for prefix in prefixes:
                    cur.execute(prefix + statement, parameters)
                    rows = cur.fetchall()
                    names = [d[0] for d in cur.description]
                    if db_kind == 'postgresql' or prefix.startswith(
                            'ANALYZE'):
                        texts.append('\n'.join(str(r[0]) for r in rows))
                    else:
                        texts.append('\n'.join(
                            ' | '.join('%s=%s' % (n, v)
                                       for n, v in zip(names, r, strict=False))
                            for r in rows))
                raw.rollback()
                plan_text = '\n'.join(texts)
                plans.append({
                    'sql': cur.mogrify(statement, parameters)
                    if hasattr(cur, 'mogrify') else statement,
                    'plan': plan_text if isinstance(plan_text, str)
                    else plan_text.decode(),
                    'indexes': _index_names(db_kind, plan_text)})
        finally:
            raw.close()
        for item in plans:
            if isinstance(item['sql'], bytes):
                item['sql'] = item['sql'].decode()
        results[name] = {
            'statements': len(statements),
            'app_inprocess_ms': {'p50': _pct(app_ms, 50),
                                 'p99': _pct(app_ms, 99)},
            'bare_ms': {'p50': _pct(total, 50), 'p99': _pct(total, 99),
                        'mean': sum(total) / len(total)},
            'bare_per_statement_p50_ms': [_pct(v, 50)
                                          for v in per_statement],
            'explain': plans}
    with open(out_file, 'w') as f:
        json.dump(results, f, default=str)


def run_capture(dep, queries, iterations):
    spec = os.path.join(dep.workdir, 'capture-spec.json')
    out = os.path.join(dep.workdir, 'capture-out.json')
    with open(spec, 'w') as f:
        json.dump({'db_kind': dep.db_kind, 'iterations': iterations,
                   'queries': queries}, f)
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), '--capture',
         dep.config_file, spec, out],
        capture_output=True, text=True, timeout=1200)
    if proc.returncode:
        raise h.BenchError('capture failed:\n%s' % proc.stderr[-3000:])
    with open(out) as f:
        return json.load(f)


# --------------------------------------------------------------------------
# Measuring


def measure_phase(args, dep, phase, rows):
    queries, matching = scenario_queries(rows)
    base = 'http://127.0.0.1:%d/v1/%s/operation_logs?' % (dep.port,
                                                           h.PROJECT)
    for name in args.scenarios:
        query, first = queries[name]
        body = dep.get_json('/v1/%s/operation_logs?%s' % (h.PROJECT, query))
        got = body['operation_logs']
        if len(got) != PAGE or got[0]['id'] != first:
            raise h.BenchError('%s: %d logs, first %s, expected %s' % (
                name, len(got), got and got[0]['id'], first))
    count, size = table_size(dep)
    h.log('%s: %d rows in the table (%.0f MiB with indexes), %d in bench, '
          '%d matching the filter', phase, count, size / 2 ** 20, len(rows),
          matching)
    results = []
    for name in args.scenarios:
        query = queries[name][0]
        url = base + query
        if args.warmup:
            h.run_wrk(url, 'get', None, args.connections, args.warmup)
        with h.CpuMeter(dep) as cpu:
            res = h.run_wrk(url, 'get', None, args.connections,
                            args.duration)
        serial = None
        if args.serial_duration:
            serial = h.run_wrk(url, 'get', None, 1, args.serial_duration)
        per = cpu.result['per_component_pct_of_core']
        item = {
            'phase': phase, 'rows': count, 'table_bytes': size,
            'scenario': name, 'query': query, 'result': res._asdict(),
            'serial': serial._asdict() if serial else None,
            'cpu': cpu.result,
            'api_cpu_ms_per_request': (10.0 * per.get('karbor-api', 0.0)
                                       / res.rps if res.rps else 0.0),
            'db_cpu_ms_per_request': (10.0 * per.get('database', 0.0)
                                      / res.rps if res.rps else 0.0)}
        results.append(item)
        h.log('%s %s: %.0f req/s, p50 %.1f ms, p99 %.1f ms (1 conn: p50 '
              '%.1f, p99 %.1f), %d non-2xx, %d socket errors', phase, name,
              res.rps, res.p50_ms, res.p99_ms,
              serial.p50_ms if serial else 0, serial.p99_ms if serial else 0,
              res.non2xx, res.socket_errors)
    h.log('%s: capturing the API\'s SQL, bare timing and EXPLAIN', phase)
    captured = run_capture(dep, {n: queries[n][0] for n in args.scenarios},
                           args.sql_iterations)
    for item in results:
        item.update(captured[item['scenario']])
    return results


def run_one_database(args, db_kind):
    tag = uuid.uuid4().hex[:8]
    base = (datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
            - datetime.timedelta(microseconds=args.projects *
                                 args.per_project * STEP_US))
    results, seeding = [], []
    with h.Deployment(db_kind, db_name='karbor_oplog_bench_%s' % tag,
                      keep=args.keep) as dep:
        version = h.database_version(dep.db_url)
        h.log('%s: seeding %d logs in project %s', db_kind, args.per_project,
              h.PROJECT)
        n, secs = seed(dep, args.projects, [0], args.per_project, base)
        seeding.append((n, secs))
        rows = bench_rows(dep)
        if 'small' in args.phases:
            results += measure_phase(args, dep, 'small', rows)
        if 'big' in args.phases:
            h.log('%s: seeding %d logs in %d other projects', db_kind,
                  (args.projects - 1) * args.per_project, args.projects - 1)
            n, secs = seed(dep, args.projects, range(1, args.projects),
                           args.per_project, base)
            seeding.append((n, secs))
            rows2 = bench_rows(dep)
            if [r.id for r in rows2] != [r.id for r in rows]:
                raise h.BenchError('the rows of bench changed')
            results += measure_phase(args, dep, 'big', rows)
    for item in results:
        item['db'], item['db_version'] = db_kind, version
    return {'db': db_kind, 'db_version': version, 'seeding': seeding,
            'results': results}


# --------------------------------------------------------------------------
# Report


def print_report(args, runs, started):
    h.emit()
    h.emit('Karbor operation-log listing benchmark  %s' % started.strftime(
        '%Y-%m-%d %H:%M UTC'))
    h.emit('machine:   %s' % api_bench.machine_description())
    h.emit('setup:     karbor-api 2 workers x 4 threads, 1 '
           'karbor-protection, RabbitMQ')
    h.emit('load:      wrk, %d connections %ds (+%ds warm-up), then 1 '
           'connection %ds; bare SQL %d runs' % (
               args.connections, args.duration, args.warmup,
               args.serial_duration, args.sql_iterations))
    h.emit('command:   %s' % ' '.join([os.path.basename(sys.executable)] +
                                      sys.argv))
    for run in runs:
        for n, secs in run['seeding']:
            h.emit('seeding %s: %d rows in %.0f s' % (run['db'], n, secs))
    header = ('%-10s %-5s %-13s %6s %7s %7s %7s %7s %7s %7s %7s %6s %7s %7s '
              '%5s'
              % ('db', 'rows', 'scenario', 'req/s', 'p50', 'p99', '1c p50',
                 '1c p99', 'app 1t', 'sql p50', 'sql p99', 'API/SQL',
                 'api ms', 'db ms', 'other'))
    h.emit()
    h.emit('latencies in ms; "1c" = wrk with one connection; "app 1t" = the '
           'WSGI app in-process, one thread, p50; "sql" = the API\'s own '
           'statements through the driver alone; API/SQL = p99 at %d '
           'connections / sql p99; "api ms"/"db ms" = CPU per request; '
           '"other" = CPU %% of one core used by processes outside the '
           'benchmark (a shared machine)' % args.connections)
    h.emit(header)
    h.emit('-' * len(header))
    invalid = []
    for run in runs:
        for item in run['results']:
            r, s = item['result'], item['serial'] or {}
            bare = item['bare_ms']
            ratio = r['p99_ms'] / bare['p99'] if bare['p99'] else 0.0
            item['ratio_p99'] = ratio
            item['ratio_serial_p99'] = (s.get('p99_ms', 0) / bare['p99']
                                        if bare['p99'] else 0.0)
            h.emit('%-10s %-5s %-13s %6.0f %7.1f %7.1f %7.1f %7.1f %7.1f '
                   '%7.2f %7.2f %6.1fx %7.2f %7.2f %5.0f' % (
                       item['db'], '%dk' % (item['rows'] // 1000),
                       item['scenario'], r['rps'], r['p50_ms'], r['p99_ms'],
                       s.get('p50_ms', 0), s.get('p99_ms', 0),
                       item['app_inprocess_ms']['p50'], bare['p50'],
                       bare['p99'], ratio, item['api_cpu_ms_per_request'],
                       item['db_cpu_ms_per_request'],
                       item['cpu']['per_component_pct_of_core'].get(
                           'other', 0.0)))
            if r['non2xx'] or r['socket_errors'] or \
                    s.get('non2xx') or s.get('socket_errors'):
                invalid.append(item)
    h.emit()
    for run in runs:
        h.emit('%s: %s' % (run['db'], run['db_version'].split(',')[0]))
    for item in invalid:
        h.emit('INVALID: %s %s %s: non-2xx or socket errors (%s)' % (
            item['db'], item['phase'], item['scenario'],
            item['result']['first_bad']))
    h.emit()
    h.emit('EXPLAIN: index used by each statement of the API (marker '
           'lookup first when there is one)')
    for run in runs:
        for item in run['results']:
            if item['phase'] != 'big' and len(args.phases) > 1:
                continue
            h.emit('  %-10s %-13s %s' % (
                item['db'], item['scenario'], '; '.join(
                    ', '.join(e['indexes']) or 'none (table scan)'
                    for e in item['explain'])))
    h.emit()
    for run in runs:
        for item in run['results']:
            r = item['result']
            h.emit('target %-10s %-5s %-13s p99 %.1f ms <= %.0f ms: %s; '
                   'p99 %.1fx bare SQL p99 <= %.0fx: %s' % (
                       item['db'], '%dk' % (item['rows'] // 1000),
                       item['scenario'], r['p99_ms'], P99_TARGET_MS,
                       'met' if r['p99_ms'] <= P99_TARGET_MS else 'NOT met',
                       item['ratio_p99'], RATIO_TARGET,
                       'met' if item['ratio_p99'] <= RATIO_TARGET
                       else 'NOT met'))
    if args.explain_file:
        with open(args.explain_file, 'w') as f:
            for run in runs:
                for item in run['results']:
                    f.write('==== %s %s (%d rows) %s: GET ...?%s\n' % (
                        item['db'], item['phase'], item['rows'],
                        item['scenario'], item['query']))
                    for e in item['explain']:
                        f.write('-- SQL:\n%s\n-- plan (indexes: %s):\n%s\n\n'
                                % (e['sql'], ', '.join(e['indexes']),
                                   e['plan']))
    return not invalid


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.capture:
        capture_main(*args.capture)
        return 0
    if not h.have_wrk():
        h.log('this benchmark needs wrk. ' + h.WRK_INSTALL)
        return 2
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
