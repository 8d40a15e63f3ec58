"""A poison flood logs a few tracebacks a minute, then one count per minute."""

from __future__ import annotations

from newswatch.tagger.failure_log import FailureLogLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_first_failures_of_a_minute_are_logged_and_the_rest_counted() -> None:
    clock = FakeClock()
    limiter = FailureLogLimiter(3, window_seconds=60.0, clock=clock)

    allowed = [limiter.allow() for _ in range(10)]

    assert allowed == [True] * 3 + [False] * 7
    # The window is still open: its count comes once, when it closes.
    assert limiter.take_suppressed() == 0
    clock.now += 59.9
    assert limiter.take_suppressed() == 0
    clock.now += 0.1
    assert limiter.take_suppressed() == 7
    assert limiter.take_suppressed() == 0


def test_a_new_minute_logs_tracebacks_again() -> None:
    clock = FakeClock()
    limiter = FailureLogLimiter(2, window_seconds=60.0, clock=clock)
    assert [limiter.allow() for _ in range(5)] == [True, True, False, False, False]

    clock.now += 60.0
    assert [limiter.allow() for _ in range(3)] == [True, True, False]

    # The closed window's count is kept until taken, the open one's is not reported yet.
    assert limiter.take_suppressed() == 3
    clock.now += 60.0
    assert limiter.take_suppressed() == 1


def test_a_quiet_spell_opens_a_fresh_window_at_the_next_failure() -> None:
    clock = FakeClock()
    limiter = FailureLogLimiter(1, window_seconds=60.0, clock=clock)
    assert limiter.allow()
    clock.now += 3600.0
    assert limiter.allow()
    assert not limiter.allow()
    clock.now += 59.0  # 59 s into the window opened an hour later: still open
    assert not limiter.allow()
    assert limiter.take_suppressed() == 0


def test_failures_below_the_limit_report_nothing_suppressed() -> None:
    clock = FakeClock()
    limiter = FailureLogLimiter(5, window_seconds=60.0, clock=clock)
    assert all(limiter.allow() for _ in range(5))
    clock.now += 120.0
    assert limiter.take_suppressed() == 0
