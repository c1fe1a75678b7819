"""karbor-api as an operator starts it."""

import os
import socket
import subprocess
import sys

BIN = os.path.dirname(sys.executable)


def test_a_taken_port_stops_the_start_with_a_clear_message(tmp_path):
    # What a running karbor-api looks like: a listener with SO_REUSEPORT,
    # which a second one would otherwise share silently.
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(('127.0.0.1', 0))
        listener.listen()
        port = listener.getsockname()[1]
        env = dict(os.environ, OS_DEFAULT__STATE_PATH=str(tmp_path),
                   OS_API__PORT=str(port))
        env.pop('OS_DATABASE__CONNECTION', None)
        started = subprocess.run([os.path.join(BIN, 'karbor-api')], env=env,
                                 capture_output=True, text=True, timeout=60)
    assert started.returncode == 1
    assert 'cannot listen on 127.0.0.1:%d' % port in started.stderr
    assert 'another karbor-api' in started.stderr
    assert 'Traceback' not in started.stderr
