"""The protection engine of a worker: claims, leases, recovery, execution.

No orphan states: every operation is owned under a lease that its worker
renews while it runs. When a worker dies, its leases expire; the recovery
scan of any worker then claims the operation again and resumes its flow
from taskflow's persisted progress, or fails it with a reason after
``max_attempts`` tries. An operation whose message was lost is found by
the same scan.
"""

import concurrent.futures
import datetime
import os
import threading
import time
import uuid

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils
from taskflow import engines as taskflow_engines
from taskflow import states as taskflow_states

from karbor import context as karbor_context
from karbor.db import operation_logs as db_operation_logs
from karbor.db import operations as db_operations
from karbor.db import tasks as db_tasks
from karbor.protection import persistence
from karbor.protection import plugin_errors
from karbor.protection import providers
from karbor.protection.flows import operations as flows
from karbor.protection.flows import runtime as flow_runtime

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# With [operation_log] retention_days set, old logs are purged this often.
PURGE_INTERVAL = 3600


class ProtectionEngine:

    def __init__(self, host=None):
        self.owner = '%s:%d:%s' % (host or CONF.host, os.getpid(),
                                   uuid.uuid4().hex[:8])
        self._executor = concurrent.futures.ThreadPoolExecutor(
            CONF.protection.max_concurrent_operations,
            thread_name_prefix='karbor-operation')
        self._lock = threading.Lock()
        self._queued = set()      # submitted, not finished here
        self._running = set()     # claimed by this worker
        self._lost = set()        # claimed, but the lease went to another
        self._stop = threading.Event()
        self._threads = []

    # -- life cycle ------------------------------------------------------
    def start(self):
        for target, name in ((self._renew_loop, 'karbor-lease'),
                             (self._recovery_loop, 'karbor-recovery')):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, wait=True):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._executor.shutdown(wait=wait, cancel_futures=True)

    # -- work ------------------------------------------------------------
    def submit(self, operation_id):
        with self._lock:
            if operation_id in self._queued or self._stop.is_set():
                return None
            self._queued.add(operation_id)
        return self._executor.submit(self._run, operation_id)

    def is_lost(self, operation_id):
        with self._lock:
            return operation_id in self._lost

    def _run(self, operation_id):
        context = karbor_context.get_admin_context()
        try:
            operation = db_operations.claim(
                context, operation_id, self.owner,
                CONF.protection.lease_seconds,
                in_transaction=persistence.create_flow)
            if operation is None:
                return   # done, or another worker holds it
            with self._lock:
                self._running.add(operation_id)
            self._execute(context, operation)
        except Exception:
            LOG.exception('Operation %s could not be run', operation_id)
        finally:
            with self._lock:
                self._queued.discard(operation_id)
                self._running.discard(operation_id)
                self._lost.discard(operation_id)

    def _execute(self, context, operation):
        context.request_id = operation.request_id or context.request_id
        context.project_id = operation.project_id
        context.user_id = operation.user_id
        context.update_store()
        runtime = None
        try:
            provider = providers.registry().get(operation.provider_id)
            runtime = flow_runtime.OperationRuntime(
                context, operation, self.owner, provider, self.is_lost)
            if operation.attempts > CONF.protection.max_attempts:
                runtime.finish(False, 'gave up after %d attempts: the '
                               'workers running it stopped each time'
                               % (operation.attempts - 1))
                return
            flow = flows.BUILDERS[operation.operation_type](runtime)
        except Exception as err:
            reason = plugin_errors.user_reason(
                err, 'preparing the %s' % operation.operation_type)
            (runtime or _Finisher(context, operation, self.owner)).finish(
                False, reason)
            return
        book, detail = self._flow_detail(operation)
        if detail is None:
            runtime.finish(False, 'the saved progress of the %s is gone'
                           % operation.operation_type)
        elif detail.state in (taskflow_states.REVERTED,
                              taskflow_states.FAILURE):
            runtime.finish(False, 'the %s failed and its worker stopped '
                           'before recording why' % operation.operation_type)
        else:
            LOG.info('Running %s operation %s (attempt %d)',
                     operation.operation_type, operation.id,
                     operation.attempts)
            self._run_flow(runtime, flow, book, detail)

    def _run_flow(self, runtime, flow, book, detail):
        # An executor of our own: taskflow's would make each run wait up to
        # a second for its idle threads to notice the shutdown.
        with concurrent.futures.ThreadPoolExecutor(
                CONF.protection.max_parallel_resources,
                thread_name_prefix='karbor-resource') as executor:
            engine = taskflow_engines.load(
                flow, flow_detail=detail, book=book,
                backend=persistence.backend(), engine='parallel',
                executor=executor)
            try:
                engine.run()
            except Exception as err:
                if not self.is_lost(runtime.operation.id):
                    runtime.finish(False, plugin_errors.user_reason(
                        err, runtime.operation.operation_type))

    @staticmethod
    def _flow_detail(operation):
        """The operation's flow: new on its first claim, else as saved."""
        if operation.attempts == 1:
            return persistence.fresh_flow(operation)
        return persistence.load_flow_detail(operation.logbook_id,
                                            operation.flow_id)

    # -- background loops -------------------------------------------------
    def _renew_loop(self):
        interval = CONF.protection.lease_seconds / 3.0
        context = karbor_context.get_admin_context()
        while not self._stop.wait(interval):
            with self._lock:
                mine = set(self._running) - self._lost
            if not mine:
                continue
            try:
                owned = db_operations.renew(context, self.owner, mine,
                                            CONF.protection.lease_seconds)
            except Exception:
                LOG.exception('Renewing leases failed; retrying')
                continue
            with self._lock:
                # Operations that finished meanwhile are not lost.
                lost = (mine - owned) & self._running
            if lost:
                LOG.warning('Lost the lease of operations %s: another '
                            'worker took them over', ', '.join(sorted(lost)))
                with self._lock:
                    self._lost |= lost

    def recover_once(self):
        """Submit every operation nobody is working on; returns their ids."""
        context = karbor_context.get_admin_context()
        found = db_operations.recoverable(
            context, CONF.protection.pending_grace_seconds)
        submitted = [op_id for op_id in found if self.submit(op_id)]
        if submitted:
            LOG.info('Recovering operations %s', ', '.join(submitted))
        return submitted

    def _recovery_loop(self):
        next_purge = time.monotonic()
        while True:
            try:
                self.recover_once()
            except Exception:
                LOG.exception('Recovery scan failed; retrying')
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + PURGE_INTERVAL
                self._purge_expired_tasks()
                if CONF.operation_log.retention_days:
                    self._purge_logs()
            if self._stop.wait(CONF.protection.recovery_interval):
                return

    def _purge_expired_tasks(self):
        try:
            count = db_tasks.purge_expired(karbor_context.get_admin_context())
        except Exception:
            LOG.exception('Purging expired tasks failed; retrying later')
            return
        if count:
            LOG.info('Purged %d expired tasks', count)

    def _purge_logs(self):
        before = timeutils.utcnow() - datetime.timedelta(
            days=CONF.operation_log.retention_days)
        try:
            count = db_operation_logs.purge(
                karbor_context.get_admin_context(), before)
        except Exception:
            LOG.exception('Purging operation logs failed; retrying later')
            return
        if count:
            LOG.info('Purged %d operation logs that ended before %s',
                     count, before.isoformat())


class _Finisher:
    """Ends an operation whose runtime could not even be built."""

    def __init__(self, context, operation, owner):
        self._args = (context, operation.id, owner)

    def finish(self, success, reason=None):
        return db_operations.finish(*self._args, success, reason,
                                    in_transaction=persistence.forget_flow)
