"""Retries of one destination: exponential backoff with jitter, for a bounded time.

`RetryPolicy` is the pure schedule (what delay comes next, and when to give up);
`deliver_with_retries` runs it around one destination's attempts, with the clock, the
sleep and the jitter passed in so that tests run it on a fake clock without sleeping.

The budget bounds when the last attempt *starts*: an attempt that starts just before it
may still take up to its channel's timeout. A permanent failure is never retried.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from newswatch.notify.channels.result import Delivery, DeliveryResult, Final, Outcome
from newswatch.settings import Settings

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
Jitter = Callable[[], float]  # a number in [0, 1)
Attempt = Callable[[], Awaitable[DeliveryResult]]

# 2**62 times any base is past every budget; a larger exponent would only overflow the float.
_MAX_EXPONENT = 62


@dataclass(frozen=True)
class RetryPolicy:
    """How long a failing destination is retried and how far apart its attempts are."""

    budget_seconds: float = 600.0
    base_seconds: float = 1.0
    max_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            budget_seconds=settings.notify_retry_seconds,
            base_seconds=settings.notify_retry_base_seconds,
            max_seconds=settings.notify_retry_max_seconds,
        )

    def backoff(self, retry: int, jitter: float) -> float:
        """The delay before retry number `retry` (1: the first), `jitter` in [0, 1).

        "Equal jitter": half of the exponential step for sure, the other half at random, so
        that delays still grow while destinations that failed together spread apart.
        """
        step = min(self.max_seconds, self.base_seconds * 2.0 ** min(retry - 1, _MAX_EXPONENT))
        return step / 2 + step / 2 * jitter

    def next_delay(
        self, retry: int, jitter: float, elapsed: float, retry_after: float | None = None
    ) -> float | None:
        """The delay before retry number `retry`, or None when it would start past the budget.

        A receiver's `retry_after` is a floor, itself capped by `max_seconds` (a receiver
        asking for an hour must not park the notification past the budget unseen).
        """
        delay = self.backoff(retry, jitter)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_seconds))
        return delay if elapsed + delay <= self.budget_seconds else None


def schedule(policy: RetryPolicy, jitters: Iterable[float]) -> list[float]:
    """The delays between the attempts of a destination whose every attempt fails at once."""
    delays: list[float] = []
    for retry, jitter in enumerate(jitters, start=1):
        delay = policy.next_delay(retry, jitter, elapsed=sum(delays))
        if delay is None:
            break
        delays.append(delay)
    return delays


async def deliver_with_retries(
    attempt: Attempt,
    policy: RetryPolicy,
    *,
    destination: str,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
    jitter: Jitter = random.random,
) -> Delivery:
    """Run `attempt` until it succeeds, fails for good, or the retry budget is spent.

    `destination` names the destination in log lines; it must already be masked.
    """
    started = clock()
    retry = 0
    while True:
        result = await attempt()
        elapsed = clock() - started
        if result.outcome is Outcome.OK:
            return Delivery(Final.DELIVERED, retry + 1, elapsed, result)
        if result.outcome is Outcome.PERMANENT:
            logger.warning("delivery to %s refused: %s", destination, result.reason)
            return Delivery(Final.REFUSED, retry + 1, elapsed, result)
        retry += 1
        delay = policy.next_delay(retry, jitter(), elapsed, result.retry_after)
        if delay is None:
            logger.warning(
                "delivery to %s still failing after %d attempts in %.0f s, giving up: %s",
                destination,
                retry,
                elapsed,
                result.reason,
            )
            return Delivery(Final.EXHAUSTED, retry, elapsed, result)
        logger.info(
            "delivery to %s failed (attempt %d): %s; retrying in %.1f s",
            destination,
            retry,
            result.reason,
            delay,
        )
        await sleep(delay)
