"""Shared plumbing of the benchmark scripts.

A throw-away production-like deployment (``karbor-api`` under granian, one
or more ``karbor-protection`` workers, RabbitMQ, PostgreSQL or MariaDB), fast
seeding
in SQL, and two load generators: ``wrk`` (preferred, written in C, so it
takes little CPU from the server) and a Python fallback (processes with
persistent HTTP/1.1 connections).

Everything here only talks to 127.0.0.1 and every load is bounded in time.
"""

import collections
import contextlib
import datetime
import http.client
import json
import multiprocessing
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WRK_SCRIPT = os.path.join(HERE, 'wrk_karbor.lua')
AUTH_TOKEN = 'bench:bench'
PROJECT = 'bench'

DATABASES = {
    # name: (admin URL used to (re)create the database, service URL template)
    'postgresql': ('postgresql+psycopg://postgres@127.0.0.1:5432/postgres',
                   'postgresql+psycopg://postgres@127.0.0.1:5432/{db}'),
    'mariadb': ('mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4',
                'mysql+pymysql://root@127.0.0.1:3306/{db}?charset=utf8mb4'),
}


def run_per_database(choice, run_one):
    """Run ``run_one(kind)`` on each database of ``--db`` (``both`` means
    PostgreSQL then MariaDB), stopping cleanly on SIGTERM or Ctrl-C.

    Returns ``(started, runs)``, or an exit code when the run failed (2) or
    was interrupted (130); ``run_one`` stops its services either way.
    """
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(
        KeyboardInterrupt()))
    started = datetime.datetime.now(datetime.UTC)
    kinds = ('postgresql', 'mariadb') if choice == 'both' else (choice,)
    try:
        return started, [run_one(kind) for kind in kinds]
    except BenchError as err:
        log('benchmark failed: %s', err)
        return 2
    except KeyboardInterrupt:
        log('interrupted; services stopped')
        return 130


class BenchError(Exception):
    """A benchmark that cannot run or whose result is invalid."""


def emit(text=''):
    """Figures go to stdout; progress (log) goes to stderr."""
    sys.stdout.write('%s\n' % (text,))
    sys.stdout.flush()


def log(msg, *args):
    stamp = time.strftime('%H:%M:%S')
    sys.stderr.write('[%s] %s\n' % (stamp, msg % args if args else msg))
    sys.stderr.flush()


def venv_bin(name):
    """A console script of the Python running this (the project's venv)."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(candidate):
        return candidate
    found = shutil.which(name)
    if not found:
        raise BenchError('%s not found next to %s nor on PATH; run the '
                         'benchmark with the project venv\'s python'
                         % (name, sys.executable))
    return found


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------
# Database


def recreate_database(kind, name):
    """Drop and create database ``name``; return the service's URL."""
    import sqlalchemy as sa
    admin_url, template = DATABASES[kind]
    engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    try:
        with engine.connect() as conn:
            if kind == 'postgresql':
                conn.execute(sa.text('DROP DATABASE IF EXISTS "%s" WITH '
                                     '(FORCE)' % name))
                conn.execute(sa.text('CREATE DATABASE "%s"' % name))
            else:
                conn.execute(sa.text('DROP DATABASE IF EXISTS `%s`' % name))
                conn.execute(sa.text('CREATE DATABASE `%s` CHARACTER SET '
                                     'utf8mb4 COLLATE utf8mb4_unicode_ci'
                                     % name))
    finally:
        engine.dispose()
    return template.format(db=name)


def drop_database(kind, name):
    import sqlalchemy as sa
    admin_url, _ = DATABASES[kind]
    engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    try:
        with engine.connect() as conn:
            if kind == 'postgresql':
                conn.execute(sa.text('DROP DATABASE IF EXISTS "%s" WITH '
                                     '(FORCE)' % name))
            else:
                conn.execute(sa.text('DROP DATABASE IF EXISTS `%s`' % name))
    finally:
        engine.dispose()


def copy_csv(cursor, table, columns, rows, to_text=str):
    """Bulk-load ``rows`` (tuples in ``columns`` order) into a PostgreSQL
    table with COPY, through psycopg 3 or psycopg2; None is NULL."""
    import csv
    import io
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow(['\\N' if v is None else to_text(v) for v in row])
    sql = "COPY %s (%s) FROM STDIN WITH (FORMAT csv, NULL '\\N')" % (
        table, ', '.join(columns))
    if hasattr(cursor, 'copy'):     # psycopg 3
        with cursor.copy(sql) as copy:
            copy.write(buf.getvalue())
    else:
        buf.seek(0)
        cursor.copy_expert(sql, buf)


def database_version(url):
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text('SELECT version()')).scalar()
    finally:
        engine.dispose()


def seed_plans(url, count, provider_id, resource, project_id=PROJECT,
               user_id='bench', batch=1000):
    """Insert ``count`` plans of one resource each, straight in SQL.

    Uses the tables of karbor.db.models, so the rows are exactly what the
    API would write. created_at values are distinct (1 ms apart, oldest
    first) so the default sort has no ties. Returns the plan ids.
    """
    import sqlalchemy as sa

    from karbor.db import models
    plans = models.Plan.__table__
    start = (datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
             - datetime.timedelta(hours=1))
    ids = [str(uuid.uuid4()) for _ in range(count)]
    engine = sa.create_engine(url)
    try:
        for first in range(0, count, batch):
            plan_rows = []
            for i in range(first, min(first + batch, count)):
                when = start + datetime.timedelta(milliseconds=i)
                plan_rows.append({
                    'id': ids[i], 'project_id': project_id,
                    'user_id': user_id, 'name': 'seed-%05d' % i,
                    'description': 'seeded by benchmarks/api_bench.py',
                    'provider_id': provider_id, 'status': 'suspended',
                    'parameters': {}, 'created_at': when,
                    'updated_at': when,
                    'resources': [{'id': resource['id'],
                                   'type': resource['type'],
                                   'name': resource['name'],
                                   'extra_info': resource.get('extra_info')}]})
            with engine.begin() as conn:
                conn.execute(plans.insert(), plan_rows)
        with engine.begin() as conn:
            if url.startswith('postgresql'):
                conn.execute(sa.text('ANALYZE plans'))
            else:
                conn.execute(sa.text('ANALYZE TABLE plans'))
    finally:
        engine.dispose()
    return ids


# --------------------------------------------------------------------------
# The deployment

CONFIG_TEMPLATE = """\
[DEFAULT]
state_path = {state}
host = karbor-bench-{tag}
transport_url = rabbit://guest:guest@127.0.0.1:5672/
control_exchange = karbor-bench-{tag}
auth_strategy = noauth
debug = false

[database]
connection = {db_url}

[api]
host_ip = 127.0.0.1
port = {port}
workers = {workers}
threads = {threads}

[directory_protectable]
roots = {state}/data

[quota]
# The benchmarks seed thousands of plans in one project and measure the
# API, not the quotas (a limited create also locks and counts).
plans = -1

[protection]
# RabbitMQ names queues after the topic whatever the exchange: a topic of
# its own keeps other runs' workers from answering this run's messages.
topic = karbor-protection-{tag}
{protection_options}"""


class Deployment:
    """karbor-api + karbor-protection worker(s) on a fresh database.

    ``protection_hosts``: one worker per name, each started with
    ``OS_DEFAULT__HOST=<name>`` (its ``[DEFAULT] host``); default one
    worker with the host of the config file. ``protection_options``: extra
    ``[protection]`` options, e.g. ``{'max_concurrent_operations': 8}``.

    Use as a context manager: the daemons are always stopped (process
    group SIGTERM, then SIGKILL) and the work directory removed on exit,
    also on errors and Ctrl-C.
    """

    def __init__(self, db_kind, db_name='karbor_bench', api_workers=2,
                 api_threads=4, keep=False, extra_config='',
                 protection_hosts=None, protection_options=None):
        self.db_kind = db_kind
        self.db_name = db_name
        self.api_workers = api_workers
        self.api_threads = api_threads
        self.keep = keep
        self.extra_config = extra_config
        self.protection_hosts = list(protection_hosts or [None])
        self.protection_options = dict(protection_options or {})
        self.tag = uuid.uuid4().hex[:8]
        self.workdir = tempfile.mkdtemp(prefix='karbor-bench-')
        self.state = os.path.join(self.workdir, 'state')
        self.config_file = os.path.join(self.workdir, 'karbor.conf')
        self.port = None
        self.db_url = None
        self.procs = {}
        self._log_paths = {}
        self._logs = []

    # -- lifecycle --

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        os.makedirs(os.path.join(self.state, 'data', 'vol1'))
        log('database: recreating %s on %s', self.db_name, self.db_kind)
        self.db_url = recreate_database(self.db_kind, self.db_name)
        self.port = free_port()
        with open(self.config_file, 'w') as f:
            f.write(CONFIG_TEMPLATE.format(
                state=self.state, tag=self.tag, db_url=self.db_url,
                port=self.port, workers=self.api_workers,
                threads=self.api_threads,
                protection_options=''.join(
                    '%s = %s\n' % item
                    for item in sorted(self.protection_options.items()))))
            f.write(self.extra_config)
        self._run([venv_bin('karbor-manage'), '--config-file',
                   self.config_file, 'db', 'sync'], 'db-sync')
        for host in self.protection_hosts:
            name = 'protection' if host is None else 'protection-' + host
            env = None if host is None else dict(os.environ,
                                                 OS_DEFAULT__HOST=host)
            self.procs[name] = self._spawn('karbor-protection', name, env)
        self.procs['api'] = self._spawn('karbor-api', 'api')
        self._wait_api()
        log('karbor-api up on 127.0.0.1:%d (%d workers x %d threads), '
            '%d karbor-protection worker(s), logs in %s', self.port,
            self.api_workers, self.api_threads, len(self.protection_hosts),
            self.workdir)

    def _run(self, argv, name):
        path = os.path.join(self.workdir, name + '.log')
        with open(path, 'wb') as out:
            rc = subprocess.call(argv, stdout=out, stderr=subprocess.STDOUT,
                                 cwd=self.workdir)
        if rc:
            raise BenchError('%s failed (rc %d):\n%s' % (
                ' '.join(argv), rc, self._tail(path)))

    def _spawn(self, binary, name, env=None):
        path = os.path.join(self.workdir, 'karbor-%s.log' % name)
        out = open(path, 'wb')
        self._logs.append((binary, path, out))
        self._log_paths[name] = path
        # A session of its own: stop() signals the whole group (granian
        # master and workers) and nothing else.
        return subprocess.Popen(
            [venv_bin(binary), '--config-file', self.config_file],
            stdout=out, stderr=subprocess.STDOUT, cwd=self.workdir,
            start_new_session=True, env=env)

    @staticmethod
    def _tail(path, lines=30):
        try:
            with open(path, errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return ''

    def _wait_api(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise BenchError('karbor-%s exited with %s:\n%s' % (
                        name, proc.returncode,
                        self._tail(self._log_paths[name])))
            try:
                status, _ = self.request('GET', '/', auth=False)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError('karbor-api did not answer within %ds' % timeout)

    def stop(self):
        # The API first, then the workers.
        names = sorted(self.procs, key=lambda n: (n != 'api', n))
        for name in names:
            proc = self.procs[name]
            if proc.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for name in names:
            proc = self.procs[name]
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.procs = {}
        for _, _, out in self._logs:
            out.close()
        self._logs = []
        if self.db_url and not self.keep:
            try:
                drop_database(self.db_kind, self.db_name)
            except Exception as err:  # noqa: BLE001 - report, keep going
                log('could not drop database %s: %s', self.db_name, err)
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
        else:
            log('kept %s (config, logs) and database %s', self.workdir,
                self.db_name)

    # -- HTTP --

    def request(self, method, path, body=None, auth=True):
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=30)
        try:
            headers = {'Accept': 'application/json'}
            if auth:
                headers['X-Auth-Token'] = AUTH_TOKEN
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers['Content-Type'] = 'application/json'
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
        finally:
            conn.close()

    def get_json(self, path):
        status, body = self.request('GET', path)
        if status != 200:
            raise BenchError('GET %s: %s %s' % (path, status, body))
        return body

    def api_pids(self):
        return _group_pids(self.procs['api'].pid)

    def api_worker_pids(self):
        master = self.procs['api'].pid
        return [pid for pid in self.api_pids() if pid != master]

    def protection_pids(self):
        """The pids of every protection worker."""
        return [pid for name, proc in sorted(self.procs.items())
                if name.startswith('protection')
                for pid in _group_pids(proc.pid)]

    def protection_worker_pids(self):
        """{name: pid} of the protection workers (one process each)."""
        return {name: proc.pid for name, proc in sorted(self.procs.items())
                if name.startswith('protection')}

    def log_path(self, name):
        return self._log_paths[name]


def _group_pids(pgid):
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            pids.append(int(entry))
    return pids


# --------------------------------------------------------------------------
# CPU accounting: where did the machine's CPU go during a run?

_CLK_TCK = os.sysconf('SC_CLK_TCK')


def _proc_cpu():
    """{pid: (comm, cpu seconds)} of every process we may read."""
    result = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index('(') + 1:raw.rindex(')')]
        fields = raw.rsplit(')', 1)[1].split()
        result[int(entry)] = (comm, (int(fields[11]) + int(fields[12]))
                              / _CLK_TCK)
    return result


def _machine_cpu():
    with open('/proc/stat') as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) / _CLK_TCK, idle / _CLK_TCK


class CpuMeter:
    """CPU seconds per component over a run, as % of one core."""

    DB_COMMS = ('postgres', 'mariadbd', 'mysqld')
    MQ_COMMS = ('beam.smp', 'erl_child_setup', 'epmd', 'inet_gethost')

    def __init__(self, deployment):
        self.deployment = deployment

    def __enter__(self):
        self._groups = {
            'karbor-api': set(self.deployment.api_pids()),
            'karbor-protection': set(self.deployment.protection_pids()),
        }
        self._procs = _proc_cpu()
        self._machine = _machine_cpu()
        self._children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._wall = time.monotonic()
        return self

    def __exit__(self, *exc):
        wall = time.monotonic() - self._wall
        total, idle = _machine_cpu()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        procs = _proc_cpu()
        per = collections.Counter()
        other = collections.Counter()
        api_processes = collections.Counter()
        protection_processes = collections.Counter()
        for pid, (comm, cpu) in procs.items():
            used = cpu - self._procs.get(pid, (comm, 0.0))[1]
            if used <= 0:
                continue
            for group, pids in self._groups.items():
                if pid in pids:
                    per[group] += used
                    if group == 'karbor-api':
                        api_processes[pid] += used
                    else:
                        protection_processes[pid] += used
                    break
            else:
                if comm in self.DB_COMMS:
                    per['database'] += used
                elif comm in self.MQ_COMMS:
                    per['rabbitmq'] += used
                elif pid == os.getpid():
                    per['bench script'] += used
                else:
                    per['other'] += used
                    other[comm] += used
        # The load generator has exited by now: it is a reaped child.
        per['load generator'] += (
            children.ru_utime + children.ru_stime
            - self._children.ru_utime - self._children.ru_stime)
        busy = (total - self._machine[0]) - (idle - self._machine[1])
        self.result = {
            'machine_busy_pct': 100.0 * busy / max(total - self._machine[0],
                                                   1e-9),
            'per_component_pct_of_core': {
                k: round(100.0 * v / wall, 1) for k, v in per.most_common()},
            # Master and each worker: shows whether the load is spread.
            'karbor_api_by_pid_pct_of_core': {
                str(k): round(100.0 * v / wall, 1)
                for k, v in sorted(api_processes.items())},
            'karbor_protection_by_pid_pct_of_core': {
                str(k): round(100.0 * v / wall, 1)
                for k, v in sorted(protection_processes.items())},
            'wall_seconds': wall,
            'other_by_command_pct_of_core': {
                k: round(100.0 * v / wall, 1)
                for k, v in other.most_common(5)},
        }
        return False


# --------------------------------------------------------------------------
# Profiling (optional): py-spy on the daemons during a run


class PySpy:
    """``py-spy record`` (collapsed stacks) of some pids during a run.

    With ``gil_only`` only the samples of the thread holding the GIL are
    kept: where the CPU goes. Without it: where the wall time goes (waits
    on the database and RabbitMQ included).

    Sampling costs the profiled processes a little CPU (--nonblocking: they
    are not paused), so figures of a profiled run are not the reference.
    """

    def __init__(self, py_spy, pids, out_prefix, rate=100, gil_only=True):
        self.py_spy = py_spy
        self.gil_only = gil_only
        self.pids = pids
        self.out_prefix = out_prefix
        self.rate = rate
        self.outputs = []
        self._procs = []

    def __enter__(self):
        for label, pid in self.pids:
            path = '%s-%s-%d.txt' % (self.out_prefix, label, pid)
            self.outputs.append(path)
            self._procs.append(subprocess.Popen(
                [self.py_spy, 'record', '--pid', str(pid), '--format', 'raw',
                 '--rate', str(self.rate), '--nonblocking', '--threads',
                 '--output', path] + (['--gil'] if self.gil_only else []),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.5)  # let py-spy attach before the load starts
        return self

    def __exit__(self, *exc):
        for proc in self._procs:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)
        for proc in self._procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return False


# --------------------------------------------------------------------------
# Load generators

Result = collections.namedtuple(
    'Result', 'requests duration rps p50_ms p90_ms p99_ms max_ms non2xx '
              'socket_errors first_bad generator')


def have_wrk():
    return shutil.which('wrk') is not None


WRK_INSTALL = ('Install wrk with "apt-get install -y wrk" (Debian/Ubuntu), '
               '"dnf install wrk" (Fedora) or "brew install wrk" (macOS).')


def run_wrk(url, mode, data_file, connections, duration, threads=1,
            timeout=10):
    """One wrk run; ``mode`` as in wrk_karbor.lua."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.hostname != '127.0.0.1':
        raise BenchError('refusing to load anything but 127.0.0.1')
    argv = ['wrk', '-t%d' % threads, '-c%d' % connections,
            '-d%ds' % duration, '--timeout', '%ds' % timeout,
            '-s', WRK_SCRIPT, url, '--', mode, data_file or '']
    out = subprocess.run(argv, capture_output=True, text=True,
                         timeout=duration + timeout + 30)
    line = next((text for text in out.stdout.splitlines()
                 if text.startswith('KARBOR_BENCH_JSON ')), None)
    if out.returncode or line is None:
        raise BenchError('wrk failed (rc %d):\n%s\n%s' % (
            out.returncode, out.stdout, out.stderr))
    data = json.loads(line.split(' ', 1)[1])
    seconds = data['duration_us'] / 1e6
    return Result(
        requests=data['requests'], duration=seconds,
        rps=data['requests'] / seconds,
        p50_ms=data['p50_us'] / 1000.0, p90_ms=data['p90_us'] / 1000.0,
        p99_ms=data['p99_us'] / 1000.0, max_ms=data['max_us'] / 1000.0,
        non2xx=data['non2xx'],
        socket_errors=sum(data[k] for k in ('connect_errors', 'read_errors',
                                            'write_errors', 'timeouts')),
        first_bad=data['first_bad'], generator='wrk')


def _python_client(port, requests_spec, connections, start_at, duration,
                   queue):
    """One process of the Python generator: ``connections`` threads."""
    method, paths, body = requests_spec
    stop_at = start_at + duration
    lock = threading.Lock()
    latencies, counts = [], collections.Counter()
    first_bad = []

    def one_connection(seed):
        import random
        rnd = random.Random(seed)
        headers = {'X-Auth-Token': AUTH_TOKEN, 'Accept': 'application/json'}
        if body is not None:
            headers['Content-Type'] = 'application/json'
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        mine, bad, errors = [], 0, 0
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while True:
            path = paths[rnd.randrange(len(paths))]
            began = time.monotonic()
            if began >= stop_at:
                break
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection('127.0.0.1', port,
                                                  timeout=10)
                continue
            mine.append(time.monotonic() - began)
            if not 200 <= resp.status < 300:
                bad += 1
                if not first_bad:
                    first_bad.append('%d %s' % (resp.status, payload[:200]))
        conn.close()
        with lock:
            latencies.extend(mine)
            counts['non2xx'] += bad
            counts['errors'] += errors

    workers = [threading.Thread(target=one_connection,
                                args=(os.getpid() * 100 + i,))
               for i in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put((latencies, counts['non2xx'], counts['errors'],
               first_bad[0] if first_bad else ''))


def _percentile(sorted_values, pct):
    if not sorted_values:
        return 0.0
    rank = max(int(round(pct / 100.0 * len(sorted_values) + 0.5)) - 1, 0)
    return sorted_values[min(rank, len(sorted_values) - 1)]


def run_python(port, method, paths, body, connections, duration,
               processes=None):
    """The fallback generator: processes x threads, one connection each."""
    processes = processes or min(connections, 4)
    per_proc = [connections // processes + (1 if i < connections % processes
                                            else 0)
                for i in range(processes)]
    ctx = multiprocessing.get_context('fork')
    queue = ctx.Queue()
    start_at = time.monotonic() + 0.5
    procs = [ctx.Process(target=_python_client,
                         args=(port, (method, paths, body), n, start_at,
                               duration, queue))
             for n in per_proc if n]
    for p in procs:
        p.start()
    latencies, non2xx, errors, first_bad = [], 0, 0, ''
    for _ in procs:
        lat, bad, err, sample = queue.get(timeout=duration + 60)
        latencies.extend(lat)
        non2xx += bad
        errors += err
        first_bad = first_bad or sample
    for p in procs:
        p.join(timeout=10)
    latencies.sort()
    return Result(
        requests=len(latencies), duration=float(duration),
        rps=len(latencies) / float(duration),
        p50_ms=_percentile(latencies, 50) * 1000,
        p90_ms=_percentile(latencies, 90) * 1000,
        p99_ms=_percentile(latencies, 99) * 1000,
        max_ms=(latencies[-1] * 1000 if latencies else 0.0),
        non2xx=non2xx, socket_errors=errors, first_bad=first_bad,
        generator='python')
