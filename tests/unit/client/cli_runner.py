"""Run karbor-cli in-process with captured streams and a clean env."""

import io
import logging

from karbor.client import http
from karbor.client import shell

# Variables that would change how karbor-cli authenticates.
AUTH_ENV_VARS = ('OS_AUTH_URL', 'OS_AUTH_TYPE', 'OS_AUTH_PLUGIN',
                 'OS_ENDPOINT', 'OS_TOKEN', 'OS_PROJECT_ID', 'OS_USERNAME',
                 'OS_PASSWORD', 'OS_PROJECT_NAME', 'KARBOR_ENDPOINT',
                 'OS_REGION_NAME', 'OS_INTERFACE')


class Result:
    def __init__(self, code, stdout, stderr):
        self.code = code
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self):
        return 'Result(%r, %r, %r)' % (self.code, self.stdout, self.stderr)


def run_cli(args, environ=None):
    """karbor-cli ARGS; cliff's logging handlers are removed afterwards."""
    stdout, stderr = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    http_logger = logging.getLogger(http.LOG.name)
    saved = (list(root.handlers), root.level, list(http_logger.handlers),
             http_logger.level, http_logger.propagate)
    try:
        app = shell.KarborShell(args, environ=environ or {}, stdout=stdout,
                                stderr=stderr)
        code = app.run(list(args))
    except SystemExit as exc:
        # argparse errors and --help exit this way in the real command.
        code = exc.code or 0
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        http_logger.handlers[:] = saved[2]
        http_logger.level, http_logger.propagate = saved[3], saved[4]
    return Result(code, stdout.getvalue(), stderr.getvalue())
