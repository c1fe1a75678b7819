"""Daemons: service records with heartbeats, and RPC servers."""

import threading

from oslo_config import cfg
from oslo_log import log as logging

from karbor import context as karbor_context
from karbor import objects
from karbor import rpc

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class Heartbeat:
    """Keeps the service record of (host, binary) alive.

    ``on_disabled_change(disabled)`` is called when an administrator
    enables or disables the service, so the daemon can stop or resume
    taking work.
    """

    def __init__(self, binary, topic=None, on_disabled_change=None):
        self.binary = binary
        self.topic = topic
        self._on_change = on_disabled_change
        self._stop = threading.Event()
        self._thread = None
        self.service = None

    def start(self):
        ctxt = karbor_context.get_admin_context()
        self.service = objects.Service.register(ctxt, CONF.host, self.binary,
                                                self.topic)
        self._disabled = self.service.disabled
        self._thread = threading.Thread(target=self._run,
                                        name='heartbeat-%s' % self.binary,
                                        daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(CONF.report_interval):
            try:
                self.service.heartbeat()
            except Exception:
                # A database outage must not kill the daemon; the record
                # shows "down" until the heartbeats succeed again.
                LOG.exception('Heartbeat of %s failed', self.binary)
                continue
            if self.service.disabled != self._disabled:
                self._disabled = self.service.disabled
                LOG.info('Service %s on %s is now %s', self.binary,
                         CONF.host,
                         'disabled' if self._disabled else 'enabled')
                if self._on_change:
                    self._on_change(self._disabled)

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class RPCService:
    """An RPC server for ``manager`` on ``topic``, with its heartbeat.

    While the service is disabled its RPC server is stopped, so it takes
    no new work; other workers on the topic do.
    """

    def __init__(self, binary, topic, manager):
        import oslo_messaging as messaging
        self.binary = binary
        self.manager = manager
        self._target = messaging.Target(topic=topic, server=CONF.host)
        self._server = None
        self._lock = threading.Lock()
        self.heartbeat = Heartbeat(binary, topic, self._set_disabled)

    def _start_server(self):
        with self._lock:
            if self._server is None:
                self._server = rpc.get_server(self._target, [self.manager])
                self._server.start()

    def _stop_server(self):
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server.wait()
                self._server = None

    def _set_disabled(self, disabled):
        if disabled:
            self._stop_server()
        else:
            self._start_server()

    def start(self):
        if hasattr(self.manager, 'init_host'):
            self.manager.init_host()
        # The heartbeat learns first whether an administrator disabled this
        # service, so a disabled worker never consumes a message.
        self.heartbeat.start()
        if not self.heartbeat.service.disabled:
            self._start_server()
        LOG.info('%s started on %s', self.binary, CONF.host)

    def stop(self):
        self.heartbeat.stop()
        self._stop_server()
        if hasattr(self.manager, 'cleanup_host'):
            self.manager.cleanup_host()
