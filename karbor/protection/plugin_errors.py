"""The one place where plugin failures become user-facing reasons.

Users see a short reason on their checkpoint or restore; operators get the
full story (operator message, traceback) in the worker's log.
"""

from oslo_log import log as logging

from karbor.common import exceptions

LOG = logging.getLogger(__name__)


def user_reason(error, where):
    """The text to record on the target for ``error`` raised in ``where``."""
    if isinstance(error, exceptions.PluginError):
        LOG.error('%s failed: %s', where, error.operator_message)
        return '%s: %s' % (where, error.user_message)
    if isinstance(error, exceptions.KarborException):
        LOG.error('%s failed: %s', where, error)
        return '%s: %s' % (where, error)
    LOG.error('%s failed unexpectedly: %r', where, error,
              exc_info=(type(error), error, error.__traceback__))
    return ('%s: an unexpected error occurred (%s); the operator log has '
            'the details' % (where, type(error).__name__))
