"""Notifications of operation start, end and error (oslo.messaging).

They go wherever ``[oslo_messaging_notifications]`` sends them (nowhere by
default); a failure to notify never fails the operation.
"""

import threading

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

_LOCK = threading.Lock()
_NOTIFIER = None


def _notifier():
    global _NOTIFIER
    if _NOTIFIER is None:
        with _LOCK:
            if _NOTIFIER is None:
                transport = messaging.get_notification_transport(CONF)
                _NOTIFIER = messaging.Notifier(
                    transport, publisher_id='karbor.%s' % CONF.host)
    return _NOTIFIER


def reset():
    global _NOTIFIER
    _NOTIFIER = None


def log_payload(log):
    return {
        'operation_log_id': log.id, 'operation_type': log.operation_type,
        'status': log.status, 'project_id': log.project_id,
        'user_id': log.user_id, 'request_id': log.request_id,
        'task_tag': log.task_tag, 'checkpoint_id': log.checkpoint_id,
        'plan_id': log.plan_id, 'provider_id': log.provider_id,
        'restore_id': log.restore_id,
        'verification_id': log.verification_id,
        'scheduled_operation_id': log.scheduled_operation_id,
        'started_at': log.started_at.isoformat() if log.started_at else None,
        'ended_at': log.ended_at.isoformat() if log.ended_at else None,
        'error_info': log.error_info,
    }


def operation_event(context, log, phase):
    """``karbor.<type>.start|end`` (info) or ``karbor.<type>.error``."""
    if log is None:
        return
    event = 'karbor.%s.%s' % (log.operation_type, phase)
    try:
        notifier = _notifier()
        payload = log_payload(log)
        if phase == 'error':
            notifier.error(context, event, payload)
        else:
            notifier.info(context, event, payload)
    except Exception:
        LOG.warning('Could not send notification %s', event, exc_info=True)
