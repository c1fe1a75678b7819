"""WSGI module for any WSGI server: ``karbor.wsgi.api:application``.

Configuration comes from the usual files (/etc/karbor/karbor.conf) or
from the files named in KARBOR_CONFIG_FILES (comma-separated).
"""

import os
import sys

from karbor.api import app
from karbor.common import config


def init_application():
    files = os.environ.get('KARBOR_CONFIG_FILES')
    config.parse_args(
        [sys.argv[0]],
        default_config_files=files.split(',') if files else None)
    return app.setup_app()


application = init_application()
