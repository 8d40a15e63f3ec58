"""What one delivery attempt came to, and what a destination came to after its retries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    RETRYABLE = "retryable"  # the receiver may accept it later: retried within the budget
    PERMANENT = "permanent"  # it never will as it stands: dead-lettered at once


@dataclass(frozen=True)
class DeliveryResult:
    """One attempt: ok, or a failure with its reason in words (never a secret).

    `retry_after` is the receiver's own wish (a webhook's `Retry-After`), in seconds.
    """

    outcome: Outcome
    reason: str = ""
    retry_after: float | None = None

    @classmethod
    def ok(cls) -> DeliveryResult:
        return cls(Outcome.OK)

    @classmethod
    def retryable(cls, reason: str, retry_after: float | None = None) -> DeliveryResult:
        return cls(Outcome.RETRYABLE, reason, retry_after)

    @classmethod
    def permanent(cls, reason: str) -> DeliveryResult:
        return cls(Outcome.PERMANENT, reason)

    @property
    def is_ok(self) -> bool:
        return self.outcome is Outcome.OK


class Final(StrEnum):
    DELIVERED = "delivered"
    REFUSED = "refused"  # a permanent failure: not retried
    EXHAUSTED = "exhausted"  # still failing when the retry budget ran out


@dataclass(frozen=True)
class Delivery:
    """A destination's outcome after its retries: what the service counts and dead-letters.

    `reason` is empty when delivered; else it says why, with the last attempt's reason.
    """

    final: Final
    attempts: int
    elapsed_seconds: float
    last: DeliveryResult

    @property
    def delivered(self) -> bool:
        return self.final is Final.DELIVERED

    @property
    def reason(self) -> str:
        if self.final is Final.DELIVERED:
            return ""
        if self.final is Final.REFUSED:
            return f"refused after {self.attempts} attempt(s): {self.last.reason}"
        return (
            f"still failing after {self.attempts} attempts in {self.elapsed_seconds:.0f} s "
            f"(NEWSWATCH_NOTIFY_RETRY_SECONDS): {self.last.reason}"
        )
