"""The default watch-lists on labelled articles: an F1 floor, and no trap alerts.

Two sets, each covering every default language with positives and hard negatives:
- the development set (tests/data/dev_set_part*.jsonl), which the lists were tuned on
  (they reach 1.0 on it: `newswatch eval tests/data/dev_set_part*.jsonl`);
- the held-out set (tests/data/holdout.jsonl), written blind from WATCHLISTS.md by
  someone who never saw the lists. Never tune the lists on it. Its early misses were
  published in docs/watchlists.md and later changes cover them, so it is no longer a
  blind estimate; docs/watchlists.md keeps the blind first passes of parts 4 and 5.
The floors are the release targets, so a drop below one is a real regression.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.evaluation.command import evaluate
from newswatch.evaluation.labelled import read_labelled
from newswatch.evaluation.report import Mistake
from newswatch.evaluation.scores import Scores
from newswatch.watchlists import Engine
from tests.conftest import REPO_ROOT

DEV_SET = sorted((REPO_ROOT / "tests" / "data").glob("dev_set_part*.jsonl"))
HOLDOUT = [REPO_ROOT / "tests" / "data" / "holdout.jsonl"]
MIN_MICRO_F1 = 0.92
MIN_LIST_F1 = 0.90
LANGUAGES = {"en", "id", "ko", "ru", "zh", "ja", "ar", "es", "fr", "de", "vi"}


@pytest.fixture(scope="module", params=[DEV_SET, HOLDOUT], ids=["dev-set", "held-out"])
def results(request: pytest.FixtureRequest) -> tuple[Scores, list[Mistake]]:
    engine = Engine.default()
    return evaluate(engine, read_labelled(request.param, engine.watchlist_names))


@pytest.mark.parametrize(("files", "at_least"), [(DEV_SET, 150), (HOLDOUT, 100)], ids=["dev-set", "held-out"])
def test_each_set_covers_every_default_language(files: list[Path], at_least: int) -> None:
    items = read_labelled(files, Engine.default().watchlist_names)
    assert len(items) >= at_least
    assert {item.article.language for item in items} == LANGUAGES


def test_micro_f1_floor(results: tuple[Scores, list[Mistake]]) -> None:
    scores, mistakes = results
    assert scores.micro.f1 >= MIN_MICRO_F1, [(m.kind, m.watchlist, m.item.article.id) for m in mistakes]


def test_each_watchlist_f1_floor(results: tuple[Scores, list[Mistake]]) -> None:
    scores, _ = results
    low = {name: round(counts.f1, 3) for name, counts in scores.watchlists.items() if counts.f1 < MIN_LIST_F1}
    assert not low, f"F1 below {MIN_LIST_F1}: {low}"


def test_no_false_positive_on_a_trap(results: tuple[Scores, list[Mistake]]) -> None:
    _, mistakes = results
    on_traps = [
        (m.watchlist, m.item.article.id, m.item.note)
        for m in mistakes
        if m.kind == "FP" and m.item.note.startswith("trap")
    ]
    assert on_traps == []
