"""A production-shaped deployment in subprocesses, for functional tests.

``karbor-api`` (gunicorn workers) and ``karbor-protection`` processes share
a real database server and RabbitMQ, each with its own config file; a
unique control exchange keeps concurrent runs apart on one broker.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

from tests import services
from tests.functional import conftest

BIN = os.path.dirname(sys.executable)


class Deployment:

    def __init__(self, workdir, database_url, **options):
        self.workdir = workdir
        self.port = services.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.exchange = 'karbor-test-%s' % uuid.uuid4().hex[:8]
        self.processes = {}
        self.config = os.path.join(workdir, 'karbor.conf')
        data_root = os.path.join(workdir, 'data')
        os.makedirs(os.path.join(data_root, 'vol1'), exist_ok=True)
        sections = {
            'DEFAULT': {
                'state_path': os.path.join(workdir, 'state'),
                'transport_url': services.RABBIT_URL,
                'control_exchange': self.exchange,
                'report_interval': options.pop('report_interval', 1),
                'service_down_time': options.pop('service_down_time', 5),
            },
            'database': {'connection': database_url},
            'api': {'port': self.port, 'workers': 2, 'threads': 4},
            # Queues are named after the topic, whatever the exchange:
            # a unique topic keeps other deployments' workers away.
            'protection': {'rpc_call_timeout':
                           options.pop('rpc_call_timeout', 5),
                           'lease_seconds': options.pop('lease_seconds', 30),
                           'recovery_interval':
                           options.pop('recovery_interval', 10),
                           'topic': 'karbor-protection-%s' % self.exchange},
            'directory_protectable': {'roots': data_root},
        }
        for key, value in options.items():
            group, name = key.split('__')
            sections.setdefault(group, {})[name] = value
        with open(self.config, 'w') as conf:
            for group, values in sections.items():
                conf.write('[%s]\n' % group)
                for name, value in values.items():
                    conf.write('%s = %s\n' % (name, value))

    def run(self, command, *args):
        return subprocess.run(
            [os.path.join(BIN, command), '--config-file', self.config,
             *args], capture_output=True, text=True, timeout=120,
            check=True)

    def start(self, command, name=None, host=None):
        name = name or command
        env = dict(os.environ)
        if host:
            env['OS_DEFAULT__HOST'] = host
        log = open(os.path.join(self.workdir, '%s.log' % name), 'wb')
        process = subprocess.Popen(
            [os.path.join(BIN, command), '--config-file', self.config],
            stdout=log, stderr=subprocess.STDOUT, env=env)
        self.processes[name] = (process, log)
        return process

    def log(self, name):
        with open(os.path.join(self.workdir, '%s.log' % name)) as f:
            return f.read()

    def wait_for_api(self):
        process = self.processes['karbor-api'][0]
        try:
            conftest.wait_for_http(self.url + '/', process)
        except Exception:
            raise RuntimeError(self.log('karbor-api')[-4000:]) from None

    def stop(self, name, kill=False):
        process, log = self.processes.pop(name)
        if kill:
            process.kill()
            process.wait()
        else:
            conftest.stop_process(process)
        log.close()

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)

    def request(self, method, path, body=None, token='demo:demo',
                project='demo'):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            '%s/v1/%s%s' % (self.url, project, path), data=data,
            method=method, headers={'X-Auth-Token': token})
        if data is not None:
            request.add_header('Content-Type', 'application/json')
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b'null')
