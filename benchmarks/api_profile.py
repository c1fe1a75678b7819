#!/usr/bin/env python3
"""Where one API request spends its CPU: cProfile of the WSGI app in-process.

Companion of api_bench.py. Starts the same deployment (database, RabbitMQ,
one karbor-protection; karbor-api is started too, only to discover ids),
seeds the plans, then builds the WSGI application in this process with the
same configuration and calls it directly -- no HTTP, no threads, no GIL
contention -- N times per scenario under cProfile. Prints the CPU time per
request and the functions with the most cumulative time, with how many
times each is called per request.

    .venv/bin/python benchmarks/api_profile.py --db postgresql
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _harness as h  # noqa: E402
import api_bench  # noqa: E402


def build_app(config_file):
    from karbor.api import app
    from karbor.common import config
    config.parse_args(['karbor-api-profile', '--config-file', config_file])
    return app.setup_app()


def make_requests(ids, provider_id, resource, page_size):
    import webob
    body = json.dumps({'plan': {
        'name': 'profile-plan', 'provider_id': provider_id,
        'resources': [resource]}}).encode()
    headers = {'X-Auth-Token': h.AUTH_TOKEN, 'Accept': 'application/json'}

    def get(i):
        return webob.Request.blank(
            '/v1/%s/plans/%s' % (h.PROJECT, ids[i % len(ids)]),
            headers=headers)

    def listing(i):
        return webob.Request.blank(
            '/v1/%s/plans?limit=%d' % (h.PROJECT, page_size),
            headers=headers)

    def create(i):
        return webob.Request.blank(
            '/v1/%s/plans' % h.PROJECT, method='POST', body=body,
            headers=dict(headers, **{'Content-Type': 'application/json'}))

    return {'get': (get, 200), 'list': (listing, 200), 'create': (create, 201)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--db', choices=('postgresql', 'mariadb'),
                   default='postgresql')
    p.add_argument('--db-name', default='karbor_bench_profile')
    p.add_argument('--requests', type=int, default=500,
                   help='requests profiled per scenario')
    p.add_argument('--plans', type=int, default=10000)
    p.add_argument('--page-size', type=int, default=50)
    p.add_argument('--top', type=int, default=35)
    p.add_argument('--scenarios', default='get,list,create')
    args = p.parse_args(argv)

    with h.Deployment(args.db, db_name=args.db_name) as dep:
        provider_id, resource = api_bench.discover(dep)
        ids = h.seed_plans(dep.db_url, args.plans, provider_id, resource)
        application = build_app(dep.config_file)
        scenarios = make_requests(ids, provider_id, resource, args.page_size)
        for name in args.scenarios.split(','):
            factory, expected = scenarios[name]
            for i in range(50):  # warm caches, pools, compiled SQL
                resp = factory(i).get_response(application)
                if resp.status_int != expected:
                    raise h.BenchError('%s: %s %s' % (name, resp.status,
                                                      resp.body[:300]))
            requests = [factory(i) for i in range(args.requests)]
            profiler = cProfile.Profile()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            profiler.enable()
            for req in requests:
                req.get_response(application)
            profiler.disable()
            cpu = time.process_time() - cpu0
            wall = time.perf_counter() - wall0
            # Without the profiler, for the true per-request cost.
            requests = [factory(i) for i in range(args.requests)]
            cpu1, wall1 = time.process_time(), time.perf_counter()
            for req in requests:
                req.get_response(application)
            plain_cpu = time.process_time() - cpu1
            plain_wall = time.perf_counter() - wall1
            h.emit('\n=== %s: %d requests in-process: %.2f ms CPU / %.2f ms '
                  'wall per request without profiler (%.2f / %.2f with)'
                  % (name, args.requests, 1000 * plain_cpu / args.requests,
                     1000 * plain_wall / args.requests,
                     1000 * cpu / args.requests,
                     1000 * wall / args.requests))
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats('cumulative').print_stats(args.top)
            h.emit(out.getvalue())
            h.emit('--- calls per request of selected functions')
            for (filename, line, func), (_, nc, _, ct, _) in sorted(
                    stats.stats.items(), key=lambda kv: -kv[1][3])[:400]:
                if func in ('namedtuple', 'getargspec', 'getfullargspec',
                            'enforce', 'do_ping', 'do_execute',
                            'do_rollback', 'do_commit', 'exists', 'call',
                            'load_rules', 'strftime'):
                    h.emit('%8.2f calls  %7.3f ms cum  %s:%d(%s)' % (
                        nc / args.requests, 1000 * ct / args.requests,
                        filename.split('site-packages/')[-1], line, func))
    return 0


if __name__ == '__main__':
    sys.exit(main())
