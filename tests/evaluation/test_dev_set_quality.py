"""The default watch-lists on labelled articles: an F1 floor, and no trap alerts.

Two sets, each covering every default language with positives and hard negatives:
- the development set (tests/data/dev_set_part*.jsonl), which the lists were tuned on
  (they reach 1.0 on it: `newswatch eval tests/data/dev_set_part*.jsonl`);
- the held-out set (tests/data/holdout.jsonl), written blind from WATCHLISTS.md by
  someone who never saw the lists. Never tune the lists on it. Its early misses were
  published in docs/watchlists.md and later changes cover them, so it is no longer a
  blind estimate; docs/watchlists.md keeps the blind first passes of parts 4 and 5.
The lists are tuned on the development set, so it must stay free of mistakes: a floor
there would let dozens of fixed cases break again unnoticed. The held-out set keeps
floors, set just under its measured figure (1.000 on 2026-12-02): one mistake per list
passes, more is a regression.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.evaluation.labelled import read_labelled
from newswatch.evaluation.measure import measure
from newswatch.evaluation.report import Mistake
from newswatch.evaluation.scores import Scores
from newswatch.watchlists import Engine
from tests.helpers.paths import REPO_ROOT

DEV_SET = sorted((REPO_ROOT / "tests" / "data").glob("dev_set_part*.jsonl"))
HOLDOUT = [REPO_ROOT / "tests" / "data" / "holdout.jsonl"]
HELDOUT_MIN_MICRO_F1 = 0.99
HELDOUT_MIN_LIST_F1 = 0.97
FIRST_ELEVEN = {"en", "id", "ko", "ru", "zh", "ja", "ar", "es", "fr", "de", "vi"}
# Issue 15: the held-out set predates them; the dev set and the blind probe cover them.
ADDED = {"uk", "tr", "fa", "pt", "pl", "he", "hi", "it", "th", "ms"}
LANGUAGES = FIRST_ELEVEN | ADDED
# Written blind before the issue-15 vocabulary and never tuned on (README quality table):
# measured once at micro F1 0.969, arms_transfers 0.917, the other lists 1.000, two traps
# alerting. Floors just under the issue's targets; a fix seen in the probe is pinned by a
# dev-set article, never by editing the probe.
PROBE = [REPO_ROOT / "tests" / "data" / "blind_probe_issue15.jsonl"]
PROBE_MIN_MICRO_F1 = 0.92
PROBE_MIN_LIST_F1 = 0.90


@pytest.fixture(scope="module", params=[DEV_SET, HOLDOUT], ids=["dev-set", "held-out"])
def results(request: pytest.FixtureRequest) -> tuple[Scores, list[Mistake]]:
    engine = Engine.default()
    return measure(engine, read_labelled(request.param, engine.watchlist_names))


@pytest.fixture(scope="module")
def holdout_results() -> tuple[Scores, list[Mistake]]:
    engine = Engine.default()
    return measure(engine, read_labelled(HOLDOUT, engine.watchlist_names))


@pytest.mark.parametrize(
    ("files", "at_least", "languages"),
    [(DEV_SET, 150, LANGUAGES), (HOLDOUT, 100, FIRST_ELEVEN), (PROBE, 60, ADDED)],
    ids=["dev-set", "held-out", "issue-15-probe"],
)
def test_each_set_covers_its_languages(files: list[Path], at_least: int, languages: set[str]) -> None:
    items = read_labelled(files, Engine.default().watchlist_names)
    assert len(items) >= at_least
    assert {item.article.language for item in items} == languages


def test_every_language_of_the_development_set_has_no_mistake() -> None:
    engine = Engine.default()
    scores, _ = measure(engine, read_labelled(DEV_SET, engine.watchlist_names))
    assert set(scores.languages) == LANGUAGES
    low = {language: round(counts.f1, 3) for language, counts in scores.languages.items() if counts.f1 < 1.0}
    assert not low, "run `newswatch eval tests/data/dev_set_part*.jsonl` for the evidence"


def test_issue_15_probe_floors_per_list() -> None:
    engine = Engine.default()
    scores, mistakes = measure(engine, read_labelled(PROBE, engine.watchlist_names))
    assert scores.micro.f1 >= PROBE_MIN_MICRO_F1, [(m.kind, m.watchlist, m.item.article.id) for m in mistakes]
    low = {name: round(c.f1, 3) for name, c in scores.watchlists.items() if c.f1 < PROBE_MIN_LIST_F1}
    assert not low, f"F1 below {PROBE_MIN_LIST_F1}: {low}"


def test_the_development_set_has_no_mistake() -> None:
    engine = Engine.default()
    _, mistakes = measure(engine, read_labelled(DEV_SET, engine.watchlist_names))
    described = [(m.kind, m.watchlist, m.item.article.id, m.item.note) for m in mistakes]
    assert described == [], "run `newswatch eval tests/data/dev_set_part*.jsonl` for the evidence"


def test_held_out_micro_f1_floor(holdout_results: tuple[Scores, list[Mistake]]) -> None:
    scores, mistakes = holdout_results
    assert scores.micro.f1 >= HELDOUT_MIN_MICRO_F1, [
        (m.kind, m.watchlist, m.item.article.id) for m in mistakes
    ]


def test_held_out_f1_floor_of_each_watchlist(holdout_results: tuple[Scores, list[Mistake]]) -> None:
    scores, _ = holdout_results
    low = {
        name: round(counts.f1, 3)
        for name, counts in scores.watchlists.items()
        if counts.f1 < HELDOUT_MIN_LIST_F1
    }
    assert not low, f"F1 below {HELDOUT_MIN_LIST_F1}: {low}"


def test_no_false_positive_on_a_trap(results: tuple[Scores, list[Mistake]]) -> None:
    _, mistakes = results
    on_traps = [
        (m.watchlist, m.item.article.id, m.item.note)
        for m in mistakes
        if m.kind == "FP" and m.item.note.startswith("trap")
    ]
    assert on_traps == []
