"""Checkpoint copy throughput, against ``cp -r`` and ``rclone copy`` of the
same objects, in the same run.

The test set of data_path_bench.py (1.08 GB) is protected once into the
main bank of a directory provider, then copied through the REST API to its
copy destination (POST .../checkpoints/action, poll the copy until
``finished``):

* file system: main bank and destination are two directories of the same
  disk; the baseline is ``cp -r`` of the checkpoint's objects;
* S3: two ``rclone serve s3`` servers on loopback; the baseline is
  ``rclone copy`` of the checkpoint's objects from one to the other.

``--rounds N`` repeats the whole measurement (a new checkpoint each time,
then the copy and its baselines, back to back) and adds the medians: on a
shared machine one round says little, and a ratio is only meaningful
between measurements of the same round.

    .venv/bin/python benchmarks/copy_bench.py [--bank fs|s3|both]
        [--rounds N] [--workdir DIR] [--keep]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

import _harness as harness
import data_path_bench as datapath

PROVIDER_FS = '0f1e2d3c-4b5a-4697-8a1b-2c3d4e5f6a11'
PROVIDER_S3 = '0f1e2d3c-4b5a-4697-8a1b-2c3d4e5f6a12'


def provider_text(provider_id, main, destination):
    """``main`` and ``destination``: 'bank = <plugin>' and its section."""
    return ('[provider]\nname = copy bench %s\nid = %s\nplugin = directory\n'
            'copy_destinations = dr\n%s\n[destination:dr]\n%s\n'
            % (provider_id[-2:], provider_id, main, destination))


def fs_banks(workdir):
    main = os.path.join(workdir, 'bank-main')
    copy = os.path.join(workdir, 'bank-dr')
    return ('bank = filesystem\n[filesystem_bank]\npath = %s' % main,
            'bank = filesystem\n[destination:dr:filesystem_bank]\npath = %s'
            % copy, main)


def s3_section(group, endpoint):
    return ('[%s]\nendpoint_url = %s\nbucket = bench\naccess_key = %s\n'
            'secret_key = %s' % ((group, endpoint) + datapath.S3_KEYS))


def protect_and_copy(karbor, provider_id):
    instances = karbor.request(
        'GET', '/protectables/OS::Karbor::Directory/instances')
    resource = [i for i in instances['instances'] if i['name'] == 'set'][0]
    plan = karbor.request('POST', '/plans', {'plan': {
        'name': 'copy bench', 'provider_id': provider_id,
        'resources': [{'id': resource['id'], 'name': 'set',
                       'type': 'OS::Karbor::Directory'}]}})['plan']
    path = '/providers/%s/checkpoints' % provider_id
    checkpoint = karbor.request('POST', path, {'checkpoint': {
        'plan_id': plan['id']}})['checkpoint']
    checkpoint = karbor.wait('%s/%s' % (path, checkpoint['id']),
                             'checkpoint', ('available', 'error'))
    if checkpoint['status'] != 'available':
        raise harness.BenchError('protect failed: %s'
                                 % checkpoint['error_info'])
    datapath.drop_caches()
    cpu = cpu_seconds(karbor.process.pid)
    start = time.monotonic()
    copy = karbor.request('POST', path + '/action', {'copy': {
        'checkpoint_id': checkpoint['id'], 'destination': 'dr'}})['copy']
    copy = karbor.wait('/copies/%s' % copy['id'], 'copy',
                       ('finished', 'error'))
    seconds = time.monotonic() - start
    cpu = cpu_seconds(karbor.process.pid) - cpu
    if copy['status'] != 'finished':
        raise harness.BenchError('copy failed: %s' % copy)
    harness.log('karbor copy: %.2f s, karbor-all CPU %.2f s (user %.2f, '
                'system %.2f)' % ((seconds, sum(cpu)) + tuple(cpu)))
    return checkpoint['id'], seconds


class _Cpu(tuple):
    def __sub__(self, other):
        return _Cpu(a - b for a, b in zip(self, other, strict=True))


def cpu_seconds(pid):
    """(user, system) CPU seconds of a process so far: on a shared machine
    they vary much less than elapsed times."""
    with open('/proc/%d/stat' % pid) as stat:
        fields = stat.read().rsplit(')', 1)[1].split()
    ticks = os.sysconf('SC_CLK_TCK')
    return _Cpu((int(fields[11]) / ticks, int(fields[12]) / ticks))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--bank', choices=('fs', 's3', 'both'), default='fs')
    parser.add_argument('--workdir')
    parser.add_argument('--keep', action='store_true')
    parser.add_argument('--rounds', type=int, default=1)
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix='karbor-copy-')
    os.makedirs(workdir, exist_ok=True)
    data_root = os.path.join(workdir, 'data')
    providers_dir = os.path.join(workdir, 'providers.d')
    os.makedirs(providers_dir)
    servers, results = [], []   # (round, tool, route, seconds, bytes)
    places = {}  # main_path, source_url, target_url
    try:
        harness.log('writing the test set')
        size = datapath.make_test_set(os.path.join(data_root, 'set'))
        kinds = ('fs', 's3') if args.bank == 'both' else (args.bank,)
        if 'fs' in kinds:
            main_section, dr_section, places['main_path'] = fs_banks(
                workdir)
            with open(os.path.join(providers_dir, 'fs.conf'), 'w') as out:
                out.write(provider_text(PROVIDER_FS, main_section,
                                        dr_section))
        if 's3' in kinds:
            source, source_url = datapath.start_rclone(workdir, 's3-main')
            target, target_url = datapath.start_rclone(workdir, 's3-dr')
            places.update(source_url=source_url, target_url=target_url)
            servers += [source, target]
            with open(os.path.join(providers_dir, 's3.conf'), 'w') as out:
                out.write(provider_text(
                    PROVIDER_S3,
                    'bank = s3\n' + s3_section('s3_bank', source_url),
                    'bank = s3\n' + s3_section('destination:dr:s3_bank',
                                               target_url)))
        karbor = datapath.Karbor(workdir, data_root, providers_dir)
        try:
            for round_ in range(1, args.rounds + 1):
                results += measure_round(round_, karbor, kinds, workdir,
                                         size, places)
        finally:
            karbor.stop()
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    report(results, size, args.rounds)
    return 0


def measure_round(round_, karbor, kinds, workdir, size, env):
    """One protect, copy and baselines per kind of bank."""
    results = []
    if 'fs' in kinds:
        harness.log('round %d, file system: protect, copy, cp -r' % round_)
        checkpoint_id, seconds = protect_and_copy(karbor, PROVIDER_FS)
        results.append((round_, 'karbor copy', 'fs -> fs', seconds, size))
        objects = os.path.join(env['main_path'], 'objects', 'checkpoints',
                               checkpoint_id)
        # cp (coreutils >= 9) copies with copy_file_range and never syncs;
        # the file-system bank makes its copy durable, so ``cp -r; sync``
        # is the like-for-like baseline, plain ``cp -r`` the target's.
        copy = os.path.join(workdir, 'cp-copy')
        for tool, command in (
                ('cp -r', ['cp', '-r', objects, copy]),
                ('cp -r; sync', ['sh', '-c', 'cp -r "$0" "$1" && sync',
                                 objects, copy])):
            datapath.drop_caches()
            seconds, _rss = datapath.timed(command)
            results.append((round_, tool, 'fs -> fs', seconds, size))
            shutil.rmtree(copy)
    if 's3' in kinds:
        harness.log('round %d, S3: protect, copy, rclone copy' % round_)
        checkpoint_id, seconds = protect_and_copy(karbor, PROVIDER_S3)
        results.append((round_, 'karbor copy', 's3 -> s3', seconds, size))
        rclone_env = datapath.rclone_remote_env('SRC', env['source_url'])
        rclone_env.update(datapath.rclone_remote_env('DST',
                                                     env['target_url']))
        prefix = 'bench/checkpoints/%s' % checkpoint_id
        datapath.drop_caches()
        seconds, _rss = datapath.timed(
            [datapath.find_rclone(), 'copy', 'src:' + prefix,
             'dst:bench/rclone-copy-%d' % round_], env=rclone_env)
        results.append((round_, 'rclone copy', 's3 -> s3', seconds, size))
    return results


def report(results, size, rounds):
    baseline = {(round_, route): seconds
                for round_, tool, route, seconds, _s in results
                if tool in ('cp -r', 'rclone copy')}
    harness.emit('Test set: %.2f GB (the checkpoint of data_path_bench.py)'
                 % (size / 1e9))
    harness.emit('%-5s %-12s %-9s %9s %9s %16s' % (
        'round', 'tool', 'route', 'seconds', 'MB/s', 'vs cp/rclone'))
    for round_, tool, route, seconds, nbytes in results:
        harness.emit('%-5d %-12s %-9s %9.2f %9.1f %15.2fx' % (
            round_, tool, route, seconds, nbytes / 1e6 / seconds,
            baseline[round_, route] / seconds))
    if rounds > 1:
        # The ratio's median is over the rounds' own ratios, not a ratio
        # of medians: each round's tools ran under the same load.
        harness.emit('medians of %d rounds:' % rounds)
        tools = sorted({(route, tool) for _r, tool, route, _s, _b in results})
        for route, tool in tools:
            mine = [(r, s) for r, t, ro, s, _b in results
                    if (ro, t) == (route, tool)]
            seconds = statistics.median(s for _r, s in mine)
            ratio = statistics.median(baseline[r, route] / s
                                      for r, s in mine)
            harness.emit('%-5s %-12s %-9s %9.2f %9.1f %15.2fx' % (
                'med', tool, route, seconds, size / 1e6 / seconds, ratio))


if __name__ == '__main__':
    sys.exit(main())
