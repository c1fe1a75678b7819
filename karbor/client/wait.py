"""Poll a resource until it reaches a final status (the CLI's ``--wait``).

Checkpoints, restores, copies and deletions are asynchronous: the API
answers 202 at once and the work goes on in a protection worker. This helper
polls a getter until the status is final, drawing a progress bar on stderr
when stderr is a terminal (never in a pipe or a log file).
"""

import sys
import time

from karbor.client import exceptions

DEFAULT_INTERVAL = 2.0
BAR_WIDTH = 30
_SPINNER = '|/-\\'


def wait_for_status(fetch, *, success=('available',), failure=('error',),
                    status_of=None, progress_of=None, timeout=None,
                    interval=DEFAULT_INTERVAL, gone_is_success=False,
                    label='', stream=None, clock=time.monotonic,
                    sleep=time.sleep, reason_of=None):
    """Call ``fetch()`` until the resource's status is in success/failure.

    Returns the last resource (None if it disappeared and
    ``gone_is_success``, the way a delete ends). Raises
    ResourceInErrorState on a failure status and WaitTimeout after
    ``timeout`` seconds (None waits forever). ``progress_of(resource)`` may
    return a 0-100 percentage to draw a real bar instead of a spinner.
    ``reason_of(resource)`` may return why a failed resource failed (its
    ``error_info``); it ends the error's message, and the failed resource
    is the error's ``resource``.
    """
    status_of = status_of or (lambda resource: resource.status)
    stream = sys.stderr if stream is None else stream
    bar = ProgressBar(stream, label)
    deadline = None if timeout is None else clock() + timeout
    try:
        while True:
            try:
                resource = fetch()
            except exceptions.NotFound:
                if gone_is_success:
                    bar.finish('deleted', 100)
                    return None
                raise
            status = status_of(resource)
            progress = progress_of(resource) if progress_of else None
            if status in success:
                bar.finish(status, 100)
                return resource
            if status in failure:
                bar.finish(status, progress)
                message = '%s ended in status %r' % (label or 'The resource',
                                                     status)
                reason = reason_of(resource) if reason_of else None
                if reason:
                    message += ': %s' % reason
                error = exceptions.ResourceInErrorState(message)
                error.resource = resource
                raise error
            bar.update(status, progress)
            if deadline is not None and clock() >= deadline:
                raise exceptions.WaitTimeout(
                    'Gave up waiting after %ss; %s is still %r' % (
                        timeout, label or 'the resource', status))
            sleep(interval)
    finally:
        bar.close()


class ProgressBar:
    """A one-line bar redrawn in place with a carriage return.

    Draws nothing when the stream is not a TTY, so scripts and logs only
    see the command's real output.
    """

    def __init__(self, stream, label=''):
        self.stream = stream
        self.label = label
        self.enabled = bool(getattr(stream, 'isatty', lambda: False)())
        self._ticks = 0
        self._drawn = False

    def render(self, status, progress):
        prefix = ('%s ' % self.label) if self.label else ''
        if progress is None:
            spinner = _SPINNER[self._ticks % len(_SPINNER)]
            return '%s%s %s' % (prefix, spinner, status)
        percent = max(0, min(100, int(progress)))
        filled = BAR_WIDTH * percent // 100
        return '%s[%s%s] %3d%% %s' % (prefix, '#' * filled,
                                       '-' * (BAR_WIDTH - filled), percent,
                                       status)

    def update(self, status, progress=None):
        if not self.enabled:
            return
        line = self.render(status, progress)
        # Pad so a shorter line fully covers the previous one.
        self.stream.write('\r' + line.ljust(BAR_WIDTH + 40))
        self.stream.flush()
        self._ticks += 1
        self._drawn = True

    def finish(self, status, progress=None):
        self.update(status, progress)

    def close(self):
        if self._drawn:
            self.stream.write('\n')
            self.stream.flush()
            self._drawn = False
