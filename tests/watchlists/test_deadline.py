"""The time budget of one record: checked as each engine stage ends, with where the time went."""

from __future__ import annotations

import pytest

from newswatch.watchlists import Engine
from newswatch.watchlists.scoring.deadline import Deadline, RecordTooSlow

TITLE = "New sanctions on North Korea"
BODY = "The UN Security Council imposed new sanctions on North Korea."


class StepClock:
    """Advances `step` seconds each time it is read; counts the reads."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return (self.reads - 1) * self.step


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine.default()
    engine.detect_language("warm-up")
    return engine


def test_within_budget_nothing_happens_and_over_it_the_error_carries_the_stages() -> None:
    ticks = iter([0.0, 0.25, 0.5, 0.75, 1.5])
    deadline = Deadline(1.0, clock=lambda: next(ticks))
    deadline.check("normalise")
    deadline.check("evaluate sanctions")
    deadline.check("evaluate sanctions")  # a stage seen twice is summed
    with pytest.raises(RecordTooSlow) as raised:
        deadline.check("evidence sanctions")
    slow = raised.value
    assert (slow.budget, slow.elapsed, slow.stage) == (1.0, 1.5, "evidence sanctions")
    assert slow.stages == (("normalise", 0.25), ("evaluate sanctions", 0.5), ("evidence sanctions", 0.75))
    assert str(slow) == (
        "tagging took more than the 1.0 s budget: 1.50 s, of which normalise 0.25 s, "
        "evaluate sanctions 0.50 s, evidence sanctions 0.75 s; stopped after evidence sanctions"
    )
    assert "4.2 ms" in RecordTooSlow(0.001, 0.0042, "scan", (("scan", 0.0042),)).describe("budget")


@pytest.mark.parametrize("budget", [0.0, -1.0])
def test_a_budget_must_be_positive(budget: float) -> None:
    with pytest.raises(ValueError, match="more than 0"):
        Deadline(budget)


def test_a_generous_deadline_changes_nothing(engine: Engine) -> None:
    clock = StepClock(1.0)
    with_deadline = engine.match(TITLE, BODY, deadline=Deadline(1_000.0, clock))
    assert with_deadline == engine.match(TITLE, BODY)
    assert clock.reads > 6, "the clock is read at every stage boundary"


def test_the_engine_checks_every_stage_in_order_and_stops_at_the_first_one_over(engine: Engine) -> None:
    checks = StepClock(1.0)
    engine.match(TITLE, BODY, deadline=Deadline(1_000.0, checks))
    last = checks.reads - 1  # the first read starts the deadline
    # One second per stage: a budget just under the number of stages runs out at the last one.
    with pytest.raises(RecordTooSlow) as raised:
        engine.match(TITLE, BODY, deadline=Deadline(last - 0.5, StepClock(1.0)))
    names = [name for name, _ in raised.value.stages]
    assert names == [
        "normalise",
        "screen",
        "scan",
        "evaluate korean_peninsula",
        "evaluate sanctions",
        "language",
        "evidence korean_peninsula",
        "evidence sanctions",
    ]
    assert raised.value.stage == "evidence sanctions"
    with pytest.raises(RecordTooSlow) as early:
        engine.match(TITLE, BODY, deadline=Deadline(0.5, StepClock(1.0)))
    assert early.value.stage == "normalise" and len(early.value.stages) == 1


def test_an_article_the_screen_rejects_stops_after_the_screen(engine: Engine) -> None:
    clock = StepClock(0.0)
    assert engine.match("Bakery", "The bakery sells bread.", deadline=Deadline(1.0, clock)) == []
    assert clock.reads == 3  # start, normalise, screen
