#!/usr/bin/env python3
"""Checkpoint extra-info filter benchmark of Karbor in the production setup.

Starts ``karbor-api`` (granian, 2 workers x 4 threads) and one
``karbor-protection`` worker on RabbitMQ (run-unique ``control_exchange``
and ``[protection] topic``, see _harness.py) on a fresh PostgreSQL or
MariaDB database (``karbor_xinfo_bench_<random>``, dropped at the end),
seeds ``--checkpoints`` (100,000) ``available`` checkpoints of the no-op
provider in the project ``bench`` straight in SQL, each with 5 extra-info
keys, in both ``checkpoints.extra_info`` and the ``checkpoint_extra_info``
index table (``value_sha256`` = hex SHA-256 of the UTF-8 value), 1 ms
apart (distinct ``created_at``):

==================  ================================  ==================
key                 value of checkpoint number i      share of one value
==================  ================================  ==================
``tier``            ``gold`` (i even) / ``silver``    50 %
``team``            ``team-%02d`` % (i mod 97)        ~1 % (1/97)
``region``          ``region-%d`` % (i mod 5)         20 %
``build``           ``build-%06d`` % i                one checkpoint
``x-ci--job-url``   ``https://ci.example.org/...``    one checkpoint
==================  ================================  ==================

and measures ``GET /v1/bench/providers/<noop>/checkpoints?limit=50&...``
(default sort ``created_at desc``, first page) for:

* ``unfiltered``  no filter (reference: the API cost without the filter);
* ``sel1``        ``extra_info=team:team-07`` (1,031 of 100,000, ~1 %);
* ``sel50``       ``extra_info=tier:gold`` (50,000, 50 %);
* ``combined``    ``extra_info=team:team-07&extra_info=tier:gold`` (~0.5 %).

Each: one GET checked (200, 50 checkpoints that all match, a next link),
wrk 16 connections ``--duration`` (10 s) after a 2 s warm-up, then wrk 1
connection ``--duration-1c`` (5 s); then, in a child process configured
like the services, the application in-process (WSGI, no HTTP), the exact
SQL it issued (captured from SQLAlchemy) ``--sql-iterations`` (300) times
through the driver alone ("bare SQL" p50/p99), and EXPLAIN (PostgreSQL:
``EXPLAIN (ANALYZE, BUFFERS)``; MariaDB: ``EXPLAIN`` and ``ANALYZE
FORMAT=JSON``) with the indexes the plan uses.

Run with the project's venv::

    .venv/bin/python benchmarks/extra_info_bench.py --db both \\
        --json xinfo.json --explain-file xinfo-explain.txt

See doc/source/performance.rst ("Checkpoint extra-info").
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as h  # noqa: E402

NOOP_PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'
P99_TARGET_MS = 50.0
TEAMS = 97
PLANS = 10
SCENARIOS = {
    'unfiltered': [],
    'sel1': [('team', 'team-07')],
    'sel50': [('tier', 'gold')],
    'combined': [('team', 'team-07'), ('tier', 'gold')],
}


def extra_info_of(i):
    return {
        'tier': 'gold' if i % 2 == 0 else 'silver',
        'team': 'team-%02d' % (i % TEAMS),
        'region': 'region-%d' % (i % 5),
        'build': 'build-%06d' % i,
        'x-ci--job-url': 'https://ci.example.org/job/nightly/%d/' % i,
    }


def matching(count, pairs):
    return sum(1 for i in range(count)
               if all(extra_info_of(i)[k] == v for k, v in pairs))


def query_string(pairs, page_size):
    return '?limit=%d' % page_size + ''.join(
        '&extra_info=%s:%s' % pair for pair in pairs)


def checkpoints_path(query=''):
    return '/v1/%s/providers/%s/checkpoints%s' % (h.PROJECT, NOOP_PROVIDER,
                                                  query)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--db', choices=('postgresql', 'mariadb', 'both'),
                   default='postgresql')
    p.add_argument('--db-name', default=None,
                   help='database created (and dropped) for the run; '
                        'default karbor_xinfo_bench_<random>')
    p.add_argument('--checkpoints', type=int, default=100000)
    p.add_argument('--scenarios', default=','.join(SCENARIOS))
    p.add_argument('--duration', type=int, default=10,
                   help='seconds of each 16-connection wrk run (max 60)')
    p.add_argument('--duration-1c', type=int, default=5,
                   help='seconds of each 1-connection wrk run (max 60)')
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--connections', type=int, default=16)
    p.add_argument('--page-size', type=int, default=50)
    p.add_argument('--sql-iterations', type=int, default=300)
    p.add_argument('--json', metavar='FILE')
    p.add_argument('--explain-file', metavar='FILE',
                   help='write the full EXPLAIN output here')
    p.add_argument('--keep', action='store_true',
                   help='keep the work directory and the database')
    p.add_argument('--capture', nargs=3, metavar=('CONFIG', 'SPEC', 'OUT'),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.capture:
        return args
    args.scenarios = [s.strip() for s in args.scenarios.split(',')
                      if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        p.error('unknown scenarios: %s' % ', '.join(sorted(unknown)))
    if not (1 <= args.duration <= 60 and 1 <= args.duration_1c <= 60):
        p.error('durations must be 1 to 60 seconds')
    if args.db_name is None:
        args.db_name = 'karbor_xinfo_bench_%s' % uuid.uuid4().hex[:8]
    elif not args.db_name.startswith('karbor_xinfo_bench_'):
        p.error('--db-name must start with karbor_xinfo_bench_')
    return args


# --------------------------------------------------------------------------
# Seeding (SQL, the tables of karbor.db.models)

def seed(dep, count, batch=5000):
    import sqlalchemy as sa

    from karbor.db import models
    cps = models.Checkpoint.__table__
    infos = models.CheckpointExtraInfo.__table__
    plans = [{'id': str(uuid.uuid4()), 'name': 'seed-%02d' % n,
              'resources': [{'id': '/srv/vol%d' % n, 'name': 'vol%d' % n,
                             'type': 'OS::Karbor::Directory',
                             'extra_info': None}]}
             for n in range(PLANS)]
    start = (datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
             - datetime.timedelta(hours=3))
    began = time.monotonic()
    engine = sa.create_engine(dep.db_url)
    try:
        for low in range(0, count, batch):
            rows, info_rows = [], []
            for i in range(low, min(low + batch, count)):
                plan = plans[i % PLANS]
                when = start + datetime.timedelta(milliseconds=i)
                done = when + datetime.timedelta(microseconds=80000)
                cid = str(uuid.uuid4())
                extra = extra_info_of(i)
                rows.append({
                    'id': cid, 'project_id': h.PROJECT, 'user_id': 'bench',
                    'provider_id': NOOP_PROVIDER, 'plan_id': plan['id'],
                    'plan': plan, 'status': 'available',
                    'resource_graph': [], 'extra_info': extra,
                    'error_info': None, 'finished_at': done,
                    'deleted_at': None, 'created_at': when,
                    'updated_at': done})
                for key, value in extra.items():
                    info_rows.append({
                        'checkpoint_id': cid, 'key': key, 'value': value,
                        'value_sha256': hashlib.sha256(
                            value.encode('utf-8')).hexdigest(),
                        'project_id': h.PROJECT,
                        'provider_id': NOOP_PROVIDER, 'created_at': when})
            with engine.begin() as conn:
                conn.execute(cps.insert(), rows)
                conn.execute(infos.insert(), info_rows)
            if (low // batch) % 4 == 3:
                h.log('seeded %d checkpoints (%.0f s)', low + len(rows),
                      time.monotonic() - began)
        if dep.db_kind == 'postgresql':
            with engine.connect().execution_options(
                    isolation_level='AUTOCOMMIT') as conn:
                # What autovacuum would have done on a live system
                # (statistics, visibility map for index-only scans).
                conn.execute(sa.text('VACUUM ANALYZE checkpoints'))
                conn.execute(sa.text('VACUUM ANALYZE checkpoint_extra_info'))
        else:
            with engine.begin() as conn:
                conn.execute(sa.text(
                    'ANALYZE TABLE checkpoints, checkpoint_extra_info'))
        with engine.connect() as conn:
            counts = (
                conn.execute(sa.text('SELECT count(*) FROM checkpoints'))
                .scalar(),
                conn.execute(sa.text(
                    'SELECT count(*) FROM checkpoint_extra_info')).scalar())
    finally:
        engine.dispose()
    return counts, time.monotonic() - began


# --------------------------------------------------------------------------
# In-process capture: the app alone, its SQL bare, EXPLAIN

def _pct(values, pct):
    return h._percentile(sorted(values), pct)


def _index_names(db_kind, plan_text):
    if db_kind == 'postgresql':
        found = re.findall(r'Bitmap Index Scan on (\w+)|Index(?: Only)? '
                           r'Scan(?: Backward)? using (\w+)', plan_text)
        return sorted({a or b for a, b in found})
    return sorted(set(re.findall(r'"key": "(\w+)"', plan_text)) |
                  set(re.findall(r'key=(\w+)', plan_text)))


def capture_main(config_file, spec_file, out_file):
    import sqlalchemy as sa
    import webob

    from karbor.api import app
    from karbor.common import config
    from karbor.db import session as db_session
    with open(spec_file) as f:
        spec = json.load(f)
    db_kind, iterations = spec['db_kind'], spec['iterations']
    config.parse_args(['karbor-xinfo-bench', '--config-file', config_file])
    application = app.setup_app()
    engine = db_session.get_engine()
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if 'checkpoints' in statement:
            captured.append((statement, parameters))

    # Every engine: reads go through the autocommit read engine, not the
    # writers' (karbor.db.session).
    sa.event.listen(sa.engine.Engine, 'before_cursor_execute', capture)
    headers = {'X-Auth-Token': h.AUTH_TOKEN, 'Accept': 'application/json'}
    results = {}
    for name, path in spec['paths'].items():
        for _ in range(10):  # warm the app's caches and compiled SQL
            webob.Request.blank(path, headers=headers).get_response(
                application)
        del captured[:]
        resp = webob.Request.blank(path, headers=headers).get_response(
            application)
        if resp.status_int != 200:
            raise SystemExit('%s: %s %s' % (path, resp.status,
                                            resp.body[:300]))
        statements = list(captured)
        app_ms = []
        for _ in range(min(iterations, 100)):
            began = time.perf_counter()
            webob.Request.blank(path, headers=headers).get_response(
                application)
            app_ms.append((time.perf_counter() - began) * 1000.0)
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for _ in range(10):
                for statement, parameters in statements:
                    cur.execute(statement, parameters)
                    cur.fetchall()
            raw.rollback()
            total = []
            for _ in range(iterations):
                began = time.perf_counter()
                for statement, parameters in statements:
                    cur.execute(statement, parameters)
                    cur.fetchall()
                total.append((time.perf_counter() - began) * 1000.0)
            raw.rollback()
            plans = []
            for statement, parameters in statements:
                texts = []
                prefixes = (['EXPLAIN (ANALYZE, BUFFERS) ']
                            if db_kind == 'postgresql' else
                            ['EXPLAIN ', 'ANALYZE FORMAT=JSON '])
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
                                       for n, v in zip(names, r, strict=False)
                                       if v is not None)
                            for r in rows))
                raw.rollback()
                plan_text = '\n'.join(texts)
                sql = (cur.mogrify(statement, parameters)
                       if hasattr(cur, 'mogrify') else statement)
                if isinstance(sql, bytes):
                    sql = sql.decode()
                plans.append({'sql': sql, 'plan': plan_text,
                              'indexes': _index_names(db_kind, plan_text)})
        finally:
            raw.close()
        results[name] = {
            'statements': len(statements),
            'app_inprocess_ms': {'p50': _pct(app_ms, 50),
                                 'p99': _pct(app_ms, 99)},
            'bare_ms': {'p50': _pct(total, 50), 'p99': _pct(total, 99),
                        'mean': sum(total) / len(total)},
            'explain': plans}
    with open(out_file, 'w') as f:
        json.dump(results, f, default=str)


def run_capture(dep, paths, iterations):
    spec = os.path.join(dep.workdir, 'capture-spec.json')
    out = os.path.join(dep.workdir, 'capture-out.json')
    with open(spec, 'w') as f:
        json.dump({'db_kind': dep.db_kind, 'iterations': iterations,
                   'paths': paths}, f)
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), '--capture',
         dep.config_file, spec, out],
        capture_output=True, text=True, timeout=900)
    if proc.returncode:
        raise h.BenchError('capture failed:\n%s' % proc.stderr[-3000:])
    with open(out) as f:
        return json.load(f)


# --------------------------------------------------------------------------
# Measuring

def check_page(dep, name, pairs, page_size, expected):
    status, body = dep.request('GET', checkpoints_path(
        query_string(pairs, page_size)))
    if status != 200:
        raise h.BenchError('%s: %s %s' % (name, status, body))
    items = body['checkpoints']
    if len(items) != min(page_size, expected) or (
            expected > page_size) != ('checkpoints_links' in body):
        raise h.BenchError('%s: %d checkpoints, links %s' % (
            name, len(items), body.get('checkpoints_links')))
    for item in items:
        if any(item['extra_info'].get(k) != v for k, v in pairs):
            raise h.BenchError('%s: %s does not match' % (name, item['id']))
    stamps = [item['created_at'] for item in items]
    if stamps != sorted(stamps, reverse=True):
        raise h.BenchError('%s: page not newest first' % name)


def run_one_database(args, db_kind):
    out = {'db': db_kind, 'results': []}
    with h.Deployment(db_kind, db_name=args.db_name, keep=args.keep) as dep:
        out['db_version'] = h.database_version(dep.db_url).split(',')[0]
        providers = dep.get_json('/v1/%s/providers' % h.PROJECT)
        if NOOP_PROVIDER not in [p['id'] for p in providers['providers']]:
            raise h.BenchError('no-op provider %s not configured'
                               % NOOP_PROVIDER)
        h.log('seeding %d checkpoints x 5 extra-info keys in SQL',
              args.checkpoints)
        counts, seconds = seed(dep, args.checkpoints)
        out['seeded'] = {'checkpoints': counts[0], 'extra_info_rows':
                         counts[1], 'seconds': seconds}
        h.log('seeded %s in %.0f s', counts, seconds)
        base = 'http://127.0.0.1:%d' % dep.port
        paths = {}
        for name in args.scenarios:
            pairs = SCENARIOS[name]
            path = checkpoints_path(query_string(pairs, args.page_size))
            paths[name] = path
            check_page(dep, name, pairs, args.page_size,
                       matching(args.checkpoints, pairs))
            if args.warmup:
                h.run_wrk(base + path, 'get', None, args.connections,
                          args.warmup)
            with h.CpuMeter(dep) as cpu:
                res = h.run_wrk(base + path, 'get', None, args.connections,
                                args.duration)
            one = h.run_wrk(base + path, 'get', None, 1, args.duration_1c)
            per = cpu.result['per_component_pct_of_core']
            result = {
                'scenario': name, 'pairs': pairs,
                'matching': matching(args.checkpoints, pairs),
                'result': res._asdict(), 'one_connection': one._asdict(),
                'cpu': cpu.result,
                'api_cpu_ms_per_request': (
                    10.0 * per.get('karbor-api', 0.0) / res.rps
                    if res.rps else 0.0),
                'db_cpu_ms_per_request': (
                    10.0 * per.get('database', 0.0) / res.rps
                    if res.rps else 0.0)}
            out['results'].append(result)
            h.log('%s: %.0f req/s, p50 %.1f p99 %.1f ms (1c p50 %.1f p99 '
                  '%.1f ms), %d non-2xx, %d socket errors; CPU %s', name,
                  res.rps, res.p50_ms, res.p99_ms, one.p50_ms, one.p99_ms,
                  res.non2xx + one.non2xx,
                  res.socket_errors + one.socket_errors,
                  per)
        h.log('capturing SQL, bare timings and EXPLAIN')
        captured = run_capture(dep, paths, args.sql_iterations)
        for result in out['results']:
            result['capture'] = captured[result['scenario']]
    return out


# --------------------------------------------------------------------------
# Report

def print_report(args, runs, started):
    h.emit()
    h.emit('Karbor checkpoint extra-info filter benchmark  %s' %
           started.strftime('%Y-%m-%d %H:%M UTC'))
    h.emit('machine:   %d CPUs, %s' % (os.cpu_count(), ' '.join(
        os.uname()[2:3])))
    h.emit('setup:     karbor-api 2 workers x 4 threads, 1 '
           'karbor-protection, RabbitMQ; %d checkpoints x 5 extra-info keys'
           % args.checkpoints)
    h.emit('command:   %s' % ' '.join([os.path.basename(sys.executable)] +
                                      sys.argv))
    h.emit('wrk %d connections %d s (+%d s warm-up); 1c = 1 connection %d s;'
           ' SQL = captured statements through the driver, %d times; app = '
           'WSGI app in-process' % (args.connections, args.duration,
                                    args.warmup, args.duration_1c,
                                    args.sql_iterations))
    invalid = []
    for run in runs:
        h.emit()
        h.emit('== %s (%s), seeded %s' % (run['db'], run['db_version'],
                                          run['seeded']))
        h.emit('  %-10s %7s %6s %7s %7s %6s %6s %6s %6s %6s %6s %5s %6s' % (
            'scenario', 'match', 'req/s', 'p50', 'p99', '1c p50', '1c p99',
            'SQLp50', 'SQLp99', 'appp50', 'API ms', 'DB ms', 'p99<=50'))
        for r in run['results']:
            res, one, cap = r['result'], r['one_connection'], r['capture']
            h.emit('  %-10s %7d %6.0f %7.1f %7.1f %6.1f %6.1f %6.2f %6.2f '
                   '%6.1f %6.2f %5.2f %6s' % (
                       r['scenario'], r['matching'], res['rps'],
                       res['p50_ms'], res['p99_ms'], one['p50_ms'],
                       one['p99_ms'], cap['bare_ms']['p50'],
                       cap['bare_ms']['p99'], cap['app_inprocess_ms']['p50'],
                       r['api_cpu_ms_per_request'],
                       r['db_cpu_ms_per_request'],
                       'yes' if res['p99_ms'] <= P99_TARGET_MS else 'NO'))
            if res['non2xx'] or res['socket_errors'] or one['non2xx'] or \
                    one['socket_errors']:
                invalid.append((run['db'], r['scenario'], res['first_bad']))
        for r in run['results']:
            h.emit('  CPU %% of a core (%s): %s' % (r['scenario'], ', '.join(
                '%s %.0f' % kv for kv in
                r['cpu']['per_component_pct_of_core'].items() if kv[1] >= 1)))
        for r in run['results']:
            for e in r['capture']['explain']:
                h.emit('  indexes (%s): %s' % (r['scenario'],
                                               ', '.join(e['indexes'])))
    for db, name, bad in invalid:
        h.emit('INVALID: %s %s %s' % (db, name, bad))
    return not invalid


def write_explain(path, runs):
    with open(path, 'w') as f:
        for run in runs:
            for r in run['results']:
                for e in r['capture']['explain']:
                    f.write('==== %s %s (indexes: %s)\n%s\n\n%s\n\n' % (
                        run['db'], r['scenario'], ', '.join(e['indexes']),
                        e['sql'], e['plan']))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.capture:
        capture_main(*args.capture)
        return 0
    if not h.have_wrk():
        h.log('this benchmark needs wrk. %s', h.WRK_INSTALL)
        return 2
    outcome = h.run_per_database(
        args.db, lambda kind: run_one_database(args, kind))
    if isinstance(outcome, int):
        return outcome
    started, runs = outcome
    valid = print_report(args, runs, started)
    if args.explain_file:
        write_explain(args.explain_file, runs)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'started': started.isoformat(), 'argv': sys.argv,
                       'runs': runs}, f, indent=2, default=str)
    return 0 if valid else 1


if __name__ == '__main__':
    sys.exit(main())
