#!/usr/bin/env python3
"""Task-Tag lookup benchmark: is it flat from 1,000 to 1,000,000 tasks?

Starts the production-like deployment of benchmarks/_harness.py
(``karbor-api`` under granian, one ``karbor-protection``, RabbitMQ,
PostgreSQL or MariaDB) on a database of its own
(``karbor_task_bench_<db>``, dropped at the end), then for each size
(default 1,000 then 1,000,000 tasks, seeded in SQL over 100 projects, 90 %
of them tagged; the larger size tops the smaller one up):

* ``sql``    the bare lookup ``SELECT * FROM tasks WHERE project_id = ? AND
             tag = ?`` from this process (random existing tags of all
             projects, one connection), and its EXPLAIN (should use the
             unique index uq_tasks_project_id_tag);
* ``list``   wrk: GET /v1/bench/tasks?tag=<existing tag> (one task found);
* ``replay`` wrk: POST /v1/bench/plans with "Task-Tag: <tag>" and the body of
             a plan create that was already sent once with this tag: every
             answer must be a replay (201, "Task-Replayed: true") and no
             second plan may be created (checked; else the run is INVALID).

Run with the project's venv, from anywhere::

    .venv/bin/python benchmarks/task_tag_bench.py --db both

See doc/source/performance.rst, section "Tasks and Task-Tag".
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as h  # noqa: E402

WRK_SCRIPT = os.path.join(h.HERE, 'wrk_task_tag.lua')
COLUMNS = ('id', 'project_id', 'tag', 'user_id', 'request_id', 'action',
           'method', 'path', 'fingerprint', 'resource_type', 'resource_id',
           'resource_path', 'operation_id', 'response_status',
           'response_body', 'expires_at', 'created_at', 'updated_at')
LOOKUP_SQL = 'SELECT * FROM tasks WHERE project_id = %s AND tag = %s'
# The tag looked up by the "list" scenario (seed row 500: project "bench").
LIST_TAG_ROW = 500


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--db', choices=('postgresql', 'mariadb', 'both'),
                   default='both')
    p.add_argument('--sizes', default='1000,1000000',
                   help='comma-separated task counts, ascending')
    p.add_argument('--projects', type=int, default=100,
                   help='projects the tasks are spread over (the first is '
                        '"bench", the one measured)')
    p.add_argument('--duration', type=int, default=10,
                   help='seconds measured per API scenario (max 60)')
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--connections', type=int, default=16)
    p.add_argument('--lookups', type=int, default=5000,
                   help='bare SQL lookups timed per size')
    p.add_argument('--json', metavar='FILE')
    p.add_argument('--explain-file', metavar='FILE',
                   help='also write the EXPLAIN outputs to FILE')
    p.add_argument('--keep', action='store_true')
    args = p.parse_args(argv)
    args.sizes = sorted(int(s) for s in args.sizes.split(',') if s.strip())
    if not 1 <= args.duration <= 60:
        p.error('--duration must be between 1 and 60 seconds')
    if args.sizes[0] <= LIST_TAG_ROW or args.projects < 2:
        p.error('sizes must be > %d and projects >= 2' % LIST_TAG_ROW)
    return args


def project_of(i, projects):
    k = i % projects
    return h.PROJECT if k == 0 else 'proj-%03d' % k


def tag_of(i):
    # One row in ten has no tag (untagged requests are tasks too).
    return None if i % 10 == 9 else 'seed-%07d' % i


def make_rows(first, last, projects, base, expires):
    for i in range(first, last):
        project = project_of(i, projects)
        when = base + datetime.timedelta(microseconds=3000 * i)
        plan_id = str(uuid.UUID(int=i + 1))
        path = '/v1/%s/plans' % project
        yield (str(uuid.uuid4()), project, tag_of(i), 'seed',
               'req-%s' % uuid.UUID(int=i + 7), 'plan-create', 'POST', path,
               hashlib.sha256(b'%d' % i).hexdigest(), 'plan', plan_id,
               '%s/%s' % (path, plan_id), None, 201,
               '{"plan": {"id": "%s", "name": "seed-%d"}}' % (plan_id, i),
               expires, when, when)


def _text(value):
    if isinstance(value, datetime.datetime):
        return value.strftime('%Y-%m-%d %H:%M:%S.%f')
    return value


def seed_tasks(dep, first, last, projects, base, expires, chunk=100000):
    """Rows first..last-1: COPY on PostgreSQL, LOAD DATA on MariaDB."""
    import sqlalchemy as sa
    began = time.monotonic()
    engine = sa.create_engine(
        dep.db_url, connect_args=({'local_infile': True}
                                  if dep.db_kind == 'mariadb' else {}))
    try:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for start in range(first, last, chunk):
                batch = list(make_rows(start, min(start + chunk, last),
                                       projects, base, expires))
                if dep.db_kind == 'postgresql':
                    h.copy_csv(cur, 'tasks', COLUMNS, batch, _text)
                else:
                    batch.sort(key=lambda r: r[0])  # clustered index order
                    with tempfile.NamedTemporaryFile(
                            'w', suffix='.tsv', delete=False) as f:
                        for row in batch:
                            f.write('\t'.join(
                                '\\N' if v is None else str(_text(v))
                                for v in row) + '\n')
                    try:
                        cur.execute(
                            'LOAD DATA LOCAL INFILE %%s INTO TABLE tasks '
                            'CHARACTER SET utf8mb4 (%s)' % ', '.join(COLUMNS),
                            (f.name,))
                    finally:
                        os.unlink(f.name)
                raw.commit()
                h.log('seeded tasks %d..%d (%.0f s)', first,
                      min(start + chunk, last), time.monotonic() - began)
            if dep.db_kind == 'postgresql':
                raw.dbapi_connection.autocommit = True
                cur = raw.cursor()
                cur.execute('VACUUM ANALYZE tasks')
                raw.dbapi_connection.autocommit = False
            else:
                cur.execute('ANALYZE TABLE tasks')
                cur.fetchall()
                raw.commit()
        finally:
            raw.close()
    finally:
        engine.dispose()
    return time.monotonic() - began


def _percentile(values, pct):
    values = sorted(values)
    rank = max(int(round(pct / 100.0 * len(values) + 0.5)) - 1, 0)
    return values[min(rank, len(values) - 1)]


def time_sql_lookups(dep, size, projects, count):
    """Random existing (project, tag) pairs, one connection; µs."""
    import sqlalchemy as sa
    rnd = random.Random(size)
    keys = []
    while len(keys) < count:
        i = rnd.randrange(size)
        if tag_of(i) is not None:
            keys.append((project_of(i, projects), tag_of(i)))
    engine = sa.create_engine(dep.db_url)
    try:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for key in keys[:200]:  # warm the connection and the cache
                cur.execute(LOOKUP_SQL, key)
                cur.fetchall()
            timings = []
            for key in keys:
                began = time.perf_counter()
                cur.execute(LOOKUP_SQL, key)
                rows = cur.fetchall()
                timings.append((time.perf_counter() - began) * 1e6)
                if len(rows) != 1:
                    raise h.BenchError('lookup %s: %d rows' % (key,
                                                               len(rows)))
            raw.rollback()
        finally:
            raw.close()
    finally:
        engine.dispose()
    return {'lookups': count, 'p50_us': _percentile(timings, 50),
            'p99_us': _percentile(timings, 99),
            'mean_us': sum(timings) / len(timings)}


def list_query_sql(dialect, tag):
    """The SQL of GET /v1/bench/tasks?tag=<tag>, built by karbor's code."""
    import sqlalchemy as sa

    from karbor.db import models
    from karbor.db import pagination
    from karbor.db import tasks as db_tasks
    query = db_tasks._with_state(sa.select(models.Task)).where(
        models.Task.project_id == h.PROJECT).where(models.Task.tag == tag)
    query, _ = pagination.ordered(query, models.Task, [('created_at',
                                                        'desc')])
    query = query.limit(1001)
    return str(query.compile(dialect=dialect,
                             compile_kwargs={'literal_binds': True}))


def explain(dep, tag):
    """EXPLAIN (ANALYZE) of the bare lookup and of the API's list query."""
    import sqlalchemy as sa
    engine = sa.create_engine(dep.db_url)
    out = []
    try:
        bare = LOOKUP_SQL.replace('%s', "'%s'") % (h.PROJECT, tag)
        listing = list_query_sql(engine.dialect, tag)
        with engine.connect() as conn:
            for label, sql in (('bare lookup', bare),
                               ('GET tasks?tag= query', listing)):
                if dep.db_kind == 'postgresql':
                    stmts = ['EXPLAIN (ANALYZE, BUFFERS) ' + sql]
                else:
                    stmts = ['EXPLAIN ' + sql, 'ANALYZE ' + sql]
                for stmt in stmts:
                    result = conn.execute(sa.text(stmt.replace(':', r'\:')))
                    keys = list(result.keys())
                    rows = result.fetchall()
                    out.append('-- %s: %s' % (
                        label, stmt[:stmt.index('SELECT')].strip()))
                    if dep.db_kind == 'postgresql':
                        out.extend(r[0] for r in rows)
                    else:
                        out.append(' | '.join(keys))
                        out.extend(' | '.join(str(v) for v in r)
                                   for r in rows)
            conn.rollback()
    finally:
        engine.dispose()
    return out, listing


def run_wrk(url, mode, expected, connections, duration, body_file=None,
            tag=None, timeout=10):
    if urllib.parse.urlsplit(url).hostname != '127.0.0.1':
        raise h.BenchError('refusing to load anything but 127.0.0.1')
    argv = ['wrk', '-t1', '-c%d' % connections, '-d%ds' % duration,
            '--timeout', '%ds' % timeout, '-s', WRK_SCRIPT, url, '--', mode,
            str(expected)] + ([body_file, tag] if mode == 'replay' else [])
    out = subprocess.run(argv, capture_output=True, text=True,
                         timeout=duration + timeout + 30)
    line = next((text for text in out.stdout.splitlines()
                 if text.startswith('KARBOR_BENCH_JSON ')), None)
    if out.returncode or line is None:
        raise h.BenchError('wrk failed (rc %d):\n%s\n%s' % (
            out.returncode, out.stdout, out.stderr))
    data = json.loads(line.split(' ', 1)[1])
    seconds = data['duration_us'] / 1e6
    return {'requests': data['requests'], 'rps': data['requests'] / seconds,
            'p50_ms': data['p50_us'] / 1000.0,
            'p90_ms': data['p90_us'] / 1000.0,
            'p99_ms': data['p99_us'] / 1000.0,
            'max_ms': data['max_us'] / 1000.0,
            'unexpected': data['unexpected'], 'replayed': data['replayed'],
            'socket_errors': data['socket_errors'],
            'first_bad': data['first_bad']}


def tagged_post(dep, path, body, tag):
    import http.client
    conn = http.client.HTTPConnection('127.0.0.1', dep.port, timeout=30)
    try:
        conn.request('POST', path, body=json.dumps(body).encode(), headers={
            'X-Auth-Token': h.AUTH_TOKEN, 'Accept': 'application/json',
            'Content-Type': 'application/json', 'Task-Tag': tag})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def count(dep, sql, params):
    import sqlalchemy as sa
    engine = sa.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()
    finally:
        engine.dispose()


def measure_api(args, dep, size, create_body, body_file):
    results = {}
    list_tag = tag_of(LIST_TAG_ROW)
    status, body = dep.request('GET', '/v1/%s/tasks?tag=%s'
                               % (h.PROJECT, list_tag))
    if status != 200 or len(body['tasks']) != 1:
        raise h.BenchError('GET tasks?tag=%s: %s %s' % (list_tag, status,
                                                        body))
    url = 'http://127.0.0.1:%d/v1/%s/tasks?tag=%s' % (dep.port, h.PROJECT,
                                                      list_tag)
    if args.warmup:
        run_wrk(url, 'get', 200, args.connections, args.warmup)
    with h.CpuMeter(dep) as cpu:
        res = run_wrk(url, 'get', 200, args.connections, args.duration)
    res['cpu'] = cpu.result['per_component_pct_of_core']
    res['valid'] = not (res['unexpected'] or res['socket_errors'])
    results['list'] = res
    h.log('%d tasks: GET tasks?tag=: %.0f req/s, p50 %.1f ms, p99 %.1f ms',
          size, res['rps'], res['p50_ms'], res['p99_ms'])

    # The replay: one real request first, then the same one hammered.
    tag = 'replay-%d-%s' % (size, dep.tag)
    plans_path = '/v1/%s/plans' % h.PROJECT
    plans_sql = 'SELECT count(*) FROM plans WHERE project_id = :p'
    before = count(dep, plans_sql, {'p': h.PROJECT})
    status, headers, raw = tagged_post(dep, plans_path, create_body, tag)
    if status != 201 or headers.get('Task-Replayed'):
        raise h.BenchError('first tagged POST: %s %s %s' % (status, headers,
                                                           raw[:300]))
    original = raw
    status, headers, raw = tagged_post(dep, plans_path, create_body, tag)
    if status != 201 or headers.get('Task-Replayed') != 'true':
        raise h.BenchError('replayed POST: %s %s %s' % (status, headers,
                                                       raw[:300]))
    # Not what is measured here, but worth knowing: is the replayed body
    # the original answer?
    replay_body_ok = raw == original
    if not replay_body_ok:
        h.log('WARNING: the replayed body differs from the original answer:'
              '\n  original %r\n  replayed %r', original[:120], raw[:120])
    url = 'http://127.0.0.1:%d%s' % (dep.port, plans_path)
    if args.warmup:
        run_wrk(url, 'replay', 201, args.connections, args.warmup,
                body_file, tag)
    with h.CpuMeter(dep) as cpu:
        res = run_wrk(url, 'replay', 201, args.connections, args.duration,
                      body_file, tag)
    after = count(dep, plans_sql, {'p': h.PROJECT})
    tasks_with_tag = count(dep, 'SELECT count(*) FROM tasks WHERE '
                           'project_id = :p AND tag = :t',
                           {'p': h.PROJECT, 't': tag})
    res.update(cpu=cpu.result['per_component_pct_of_core'],
               plans_created=after - before, tasks_with_tag=tasks_with_tag,
               replay_body_ok=replay_body_ok,
               replay_body_sample=raw[:120].decode('utf-8', 'replace'))
    res['valid'] = (not res['unexpected'] and not res['socket_errors'] and
                    res['replayed'] == res['requests'] and
                    after - before == 1 and tasks_with_tag == 1)
    results['replay'] = res
    h.log('%d tasks: tagged replay: %.0f req/s, p50 %.1f ms, p99 %.1f ms, '
          '%d/%d replayed, %d plan(s) created', size, res['rps'],
          res['p50_ms'], res['p99_ms'], res['replayed'], res['requests'],
          after - before)
    return results


def run_database(args, kind):
    import api_bench
    results, explains = [], []
    with h.Deployment(kind, db_name='karbor_task_bench_%s' % kind,
                      keep=args.keep) as dep:
        version = h.database_version(dep.db_url).split(',')[0]
        provider_id, resource = api_bench.discover(dep)
        create_body = {'plan': {
            'name': 'task-tag-bench', 'description': 'replayed',
            'provider_id': provider_id, 'resources': [resource]}}
        body_file = os.path.join(dep.workdir, 'create_body.json')
        with open(body_file, 'w') as f:
            json.dump(create_body, f)
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        base = now - datetime.timedelta(hours=1)
        expires = now + datetime.timedelta(hours=23)
        seeded = 0
        for size in args.sizes:
            h.log('%s: seeding tasks up to %d', kind, size)
            seconds = seed_tasks(dep, seeded, size, args.projects, base,
                                 expires)
            seeded = size
            total = count(dep, 'SELECT count(*) FROM tasks', {})
            sql = time_sql_lookups(dep, size, args.projects, args.lookups)
            h.log('%d tasks: bare SQL lookup p50 %.0f us, p99 %.0f us',
                  size, sql['p50_us'], sql['p99_us'])
            lines, listing = explain(dep, tag_of(LIST_TAG_ROW))
            explains.append(('%s, %d tasks' % (kind, total), lines))
            api = measure_api(args, dep, size, create_body, body_file)
            results.append({'db': kind, 'db_version': version,
                            'tasks': total, 'seed_seconds': seconds,
                            'sql': sql, 'api': api, 'list_sql': listing})
    return results, explains


def print_report(args, results, explains, started):
    import api_bench
    h.emit()
    h.emit('Karbor Task-Tag benchmark  %s' % started.strftime(
        '%Y-%m-%d %H:%M UTC'))
    h.emit('machine:   %s' % api_bench.machine_description())
    h.emit('setup:     karbor-api 2 workers x 4 threads, 1 '
           'karbor-protection, RabbitMQ; tasks over %d projects, 90%% '
           'tagged' % args.projects)
    h.emit('load:      wrk, %d connections, %ds per scenario (+%ds warm-up)'
           % (args.connections, args.duration, args.warmup))
    h.emit('command:   %s' % ' '.join([os.path.basename(sys.executable)] +
                                      sys.argv))
    header = '%-10s %9s %9s %9s | %-22s %7s %7s %7s %7s %8s' % (
        'db', 'tasks', 'sql p50', 'sql p99', 'scenario', 'req/s', 'p50 ms',
        'p90 ms', 'p99 ms', 'api CPU%')
    h.emit()
    h.emit(header)
    h.emit('-' * len(header))
    valid = True
    for item in results:
        for name, label in (('list', 'GET tasks?tag='),
                            ('replay', 'POST plan, tag replayed')):
            r = item['api'][name]
            h.emit('%-10s %9d %7.0fus %7.0fus | %-22s %7.0f %7.1f %7.1f '
                   '%7.1f %8.0f' % (
                       item['db'], item['tasks'], item['sql']['p50_us'],
                       item['sql']['p99_us'], label, r['rps'], r['p50_ms'],
                       r['p90_ms'], r['p99_ms'],
                       r['cpu'].get('karbor-api', 0.0)))
            if not r['valid']:
                valid = False
                h.emit('INVALID: %s' % json.dumps(r))
        rep = item['api']['replay']
        h.emit('%-10s %9d replays: %d/%d answered 201 + Task-Replayed, '
               'plans created by the tag: %d, tasks with the tag: %d' % (
                   item['db'], item['tasks'], rep['replayed'],
                   rep['requests'], rep['plans_created'],
                   rep['tasks_with_tag']))
        if not rep['replay_body_ok']:
            h.emit('%-10s %9d WARNING: replayed body != original answer: %s'
                   % (item['db'], item['tasks'], rep['replay_body_sample']))
    for db in sorted({i['db'] for i in results}):
        h.emit('%s: %s' % (db, next(i['db_version'] for i in results
                                    if i['db'] == db)))
    h.emit()
    for title, lines in explains:
        h.emit('== EXPLAIN, %s' % title)
        for line in lines:
            h.emit(line)
        h.emit()
    return valid


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not h.have_wrk():
        h.log('wrk is not installed. ' + h.WRK_INSTALL)
        return 2
    outcome = h.run_per_database(args.db,
                                 lambda kind: run_database(args, kind))
    if isinstance(outcome, int):
        return outcome
    started, runs = outcome
    results = [result for res, _ in runs for result in res]
    explains = [explain for _, exp in runs for explain in exp]
    valid = print_report(args, results, explains, started)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'started': started.isoformat(), 'argv': sys.argv,
                       'results': results,
                       'explains': [list(e) for e in explains]}, f,
                      indent=2)
    if args.explain_file:
        with open(args.explain_file, 'w') as f:
            for title, lines in explains:
                f.write('== EXPLAIN, %s\n%s\n\n' % (title, '\n'.join(lines)))
    return 0 if valid else 1


if __name__ == '__main__':
    sys.exit(main())
