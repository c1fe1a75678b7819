"""The --wait helper: poll until a final status, bar only on a TTY."""

import io
import types

import pytest

from karbor.client import exceptions
from karbor.client import wait


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def fetcher(*statuses, progress=None):
    """A getter returning resources with these statuses, one per call."""
    items = iter(zip(statuses, progress or [None] * len(statuses),
                     strict=True))
    calls = []

    def fetch():
        status, percent = next(items)
        calls.append(status)
        return types.SimpleNamespace(status=status, progress=percent)

    fetch.calls = calls
    return fetch


def test_returns_the_resource_in_a_success_status():
    clock = FakeClock()
    fetch = fetcher('protecting', 'protecting', 'available')
    resource = wait.wait_for_status(fetch, stream=io.StringIO(),
                                    clock=clock, sleep=clock.sleep,
                                    interval=2)
    assert resource.status == 'available'
    assert fetch.calls == ['protecting', 'protecting', 'available']
    assert clock.now == 4


def test_failure_status_raises():
    clock = FakeClock()
    with pytest.raises(exceptions.ResourceInErrorState,
                       match="Checkpoint ended in status 'error'"):
        wait.wait_for_status(fetcher('protecting', 'error'),
                             label='Checkpoint', stream=io.StringIO(),
                             clock=clock, sleep=clock.sleep)


def test_timeout_raises_with_the_last_status():
    clock = FakeClock()
    fetch = fetcher(*['protecting'] * 10)
    with pytest.raises(exceptions.WaitTimeout, match="still 'protecting'"):
        wait.wait_for_status(fetch, timeout=5, interval=2,
                             stream=io.StringIO(), clock=clock,
                             sleep=clock.sleep)
    assert len(fetch.calls) == 4   # t=0, 2, 4, 6 > 5


def test_gone_is_success_for_deletions():
    def fetch():
        raise exceptions.NotFound('gone', http_status=404)

    assert wait.wait_for_status(fetch, gone_is_success=True,
                                stream=io.StringIO()) is None
    with pytest.raises(exceptions.NotFound):
        wait.wait_for_status(fetch, stream=io.StringIO())


def test_progress_bar_is_drawn_on_a_tty():
    stream = FakeTTY()
    clock = FakeClock()
    wait.wait_for_status(
        fetcher('protecting', 'protecting', 'available',
                progress=[10, 50, 100]),
        progress_of=lambda r: r.progress, label='ckpt', stream=stream,
        clock=clock, sleep=clock.sleep)
    output = stream.getvalue()
    assert '\rckpt [###-' in output
    assert ' 50% protecting' in output
    assert '[' + '#' * wait.BAR_WIDTH + '] 100% available' in output
    assert output.endswith('\n')


def test_spinner_without_progress():
    stream = FakeTTY()
    clock = FakeClock()
    wait.wait_for_status(fetcher('copying', 'available'), stream=stream,
                         clock=clock, sleep=clock.sleep)
    assert '| copying' in stream.getvalue()


def test_nothing_is_drawn_when_not_a_tty():
    stream = io.StringIO()
    clock = FakeClock()
    wait.wait_for_status(fetcher('protecting', 'available'), stream=stream,
                         clock=clock, sleep=clock.sleep)
    assert stream.getvalue() == ''


def test_render_clamps_percentages():
    bar = wait.ProgressBar(io.StringIO())
    assert bar.render('x', 150).startswith('[' + '#' * wait.BAR_WIDTH)
    assert bar.render('x', -5).startswith('[' + '-' * wait.BAR_WIDTH)
