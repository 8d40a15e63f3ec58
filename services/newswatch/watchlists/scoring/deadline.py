"""A time budget for tagging one record, checked by the engine between its stages.

Cooperative: nothing interrupts a running stage. The engine calls `check` when a stage
ends (normalise, screen, scan, each list's scoring, language, evidence), so a record
over budget is stopped at the next boundary, with where its time went. That bounds a
record's time as long as each stage is bounded itself (linear-time matching).
The clock is injected: tests drive it by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from newswatch.errors import NewswatchError

Clock = Callable[[], float]


class RecordTooSlow(NewswatchError):
    """Tagging one record ran over its time budget; the stages it went through, with seconds."""

    def __init__(
        self, budget: float, elapsed: float, stage: str, stages: tuple[tuple[str, float], ...]
    ) -> None:
        self.budget = budget
        self.elapsed = elapsed
        self.stage = stage  # the stage that was running when the budget ran out
        self.stages = stages  # (stage, seconds) in the order they ran
        super().__init__(self.describe("budget"))

    def describe(self, budget_name: str) -> str:
        """'tagging took more than the 2.0 s {budget_name}: 2.31 s, of which ...; stopped after ...'."""
        spent = ", ".join(f"{name} {seconds_text(seconds)}" for name, seconds in self.stages)
        return (
            f"tagging took more than the {self.budget} s {budget_name}: {seconds_text(self.elapsed)}, "
            f"of which {spent}; stopped after {self.stage}"
        )


class Deadline:
    """The budget of one record, started when the deadline is made; one per record."""

    def __init__(self, budget: float, clock: Clock = time.perf_counter) -> None:
        if budget <= 0:
            raise ValueError(f"a budget must be more than 0 seconds, got {budget}")
        self.budget = budget
        self._clock = clock
        self._started = self._last = clock()
        # Per stage, summed: a stage that runs once per watch-list is named per list.
        self._stages: dict[str, float] = {}

    def check(self, stage: str) -> None:
        """`stage` has just ended: raise RecordTooSlow if the budget is spent."""
        now = self._clock()
        self._stages[stage] = self._stages.get(stage, 0.0) + (now - self._last)
        self._last = now
        elapsed = now - self._started
        if elapsed > self.budget:
            raise RecordTooSlow(self.budget, elapsed, stage, tuple(self._stages.items()))


def unlimited(stage: str) -> None:
    """The check of an engine run without a deadline (tools, `explain`, reload warm-up)."""


def seconds_text(seconds: float) -> str:
    """'2.31 s' or '4.2 ms': short enough to list a dozen stages in a dead letter's detail."""
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"
