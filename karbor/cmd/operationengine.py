"""karbor-operationengine: fires scheduled operations when their triggers
say so. Run as many as you like; each due run fires once."""

import sys

from karbor.cmd import protection as protection_cmd
from karbor.common import config
from karbor.operationengine import service


def main():
    config.parse_args(sys.argv)
    engine = service.OperationEngineService()
    engine.start()
    protection_cmd.run_until_signalled([engine])
