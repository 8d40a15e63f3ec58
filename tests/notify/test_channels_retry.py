"""The retry schedule (pure) and the retry loop, on a fake clock: nothing sleeps."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from newswatch.notify.channels.result import DeliveryResult, Final
from newswatch.notify.channels.retry import Attempt, RetryPolicy, deliver_with_retries, schedule
from newswatch.settings import Settings

POLICY = RetryPolicy(budget_seconds=600, base_seconds=1, max_seconds=60)


class FakeClock:
    """Time that moves only when the code under test sleeps (or an attempt takes time)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def scripted(
    results: list[DeliveryResult], clock: FakeClock, takes: float = 0.0
) -> tuple[list[int], Attempt]:
    calls: list[int] = []
    answers: Iterator[DeliveryResult] = itertools.chain(results, itertools.repeat(results[-1]))

    async def attempt() -> DeliveryResult:
        calls.append(1)
        clock.now += takes
        return next(answers)

    return calls, attempt


def test_backoff_doubles_from_the_base_up_to_the_maximum_with_half_of_it_jittered() -> None:
    assert [POLICY.backoff(retry, jitter=0.0) for retry in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert [POLICY.backoff(retry, jitter=0.999999) for retry in (1, 7, 50)] == pytest.approx([1, 60, 60])
    # A huge retry number stays finite (no float overflow).
    assert POLICY.backoff(10_000, 0.5) == 45


def test_schedule_stops_before_the_budget_whatever_the_jitter() -> None:
    for jitter in (0.0, 0.5, 0.999):
        delays = schedule(POLICY, itertools.repeat(jitter, 1000))
        assert sum(delays) <= POLICY.budget_seconds
        # The next delay would have overrun the budget: the schedule used it all it could.
        assert sum(delays) + POLICY.backoff(len(delays) + 1, jitter) > POLICY.budget_seconds
        assert delays == sorted(delays)
    assert (
        len(schedule(POLICY, itertools.repeat(0.0, 1000))) == 6 + 18
    )  # 0.5+1+...+16 = 31.5 s, then 18 steps of 30 s
    assert schedule(RetryPolicy(budget_seconds=0), itertools.repeat(0.5)) == []


def test_retry_after_is_a_floor_capped_by_the_maximum_delay() -> None:
    assert POLICY.next_delay(1, 0.0, elapsed=0, retry_after=7) == 7
    assert POLICY.next_delay(1, 0.0, elapsed=0, retry_after=3600) == 60
    assert POLICY.next_delay(6, 0.0, elapsed=0, retry_after=1) == 16  # backoff already longer
    assert POLICY.next_delay(1, 0.0, elapsed=590, retry_after=30) is None  # past the budget


def test_policy_from_settings() -> None:
    settings = Settings(notify_retry_seconds=30, notify_retry_base_seconds=2, notify_retry_max_seconds=8)
    assert RetryPolicy.from_settings(settings) == RetryPolicy(30, 2, 8)
    assert RetryPolicy.from_settings(Settings()) == POLICY


async def test_a_destination_that_recovers_is_delivered_after_the_scheduled_sleeps() -> None:
    clock = FakeClock()
    calls, attempt = scripted([DeliveryResult.retryable("HTTP 503")] * 3 + [DeliveryResult.ok()], clock)
    delivery = await deliver_with_retries(
        attempt, POLICY, destination="http://x/...", clock=clock, sleep=clock.sleep, jitter=lambda: 0.0
    )
    assert delivery.final is Final.DELIVERED and delivery.delivered
    assert delivery.attempts == 4 == len(calls)
    assert clock.sleeps == [0.5, 1, 2]
    assert delivery.reason == ""


async def test_a_permanent_failure_is_not_retried() -> None:
    clock = FakeClock()
    calls, attempt = scripted([DeliveryResult.permanent("HTTP 400")], clock)
    delivery = await deliver_with_retries(attempt, POLICY, destination="d", clock=clock, sleep=clock.sleep)
    assert delivery.final is Final.REFUSED
    assert len(calls) == 1 and clock.sleeps == []
    assert delivery.reason == "refused after 1 attempt(s): HTTP 400"


async def test_a_destination_that_keeps_failing_gives_up_within_the_budget_with_attempts_and_reason() -> None:
    clock = FakeClock()
    # Each attempt takes 10 s (a timeout): the budget counts them too.
    calls, attempt = scripted([DeliveryResult.retryable("no response within 10 s")], clock, takes=10)
    delivery = await deliver_with_retries(
        attempt, POLICY, destination="d", clock=clock, sleep=clock.sleep, jitter=lambda: 0.5
    )
    assert delivery.final is Final.EXHAUSTED
    assert delivery.attempts == len(calls) == len(clock.sleeps) + 1
    assert delivery.elapsed_seconds <= POLICY.budget_seconds
    assert clock.now <= POLICY.budget_seconds
    assert delivery.reason.startswith(f"still failing after {delivery.attempts} attempts in ")
    assert delivery.reason.endswith("(NEWSWATCH_NOTIFY_RETRY_SECONDS): no response within 10 s")


async def test_retry_after_of_the_receiver_sets_the_next_sleep() -> None:
    clock = FakeClock()
    _, attempt = scripted([DeliveryResult.retryable("HTTP 429", retry_after=12), DeliveryResult.ok()], clock)
    delivery = await deliver_with_retries(
        attempt, POLICY, destination="d", clock=clock, sleep=clock.sleep, jitter=lambda: 0.0
    )
    assert delivery.delivered and clock.sleeps == [12]


async def test_a_zero_budget_means_one_attempt() -> None:
    clock = FakeClock()
    calls, attempt = scripted([DeliveryResult.retryable("HTTP 503")], clock)
    delivery = await deliver_with_retries(
        attempt, RetryPolicy(budget_seconds=0), destination="d", clock=clock, sleep=clock.sleep
    )
    assert delivery.final is Final.EXHAUSTED and len(calls) == 1
