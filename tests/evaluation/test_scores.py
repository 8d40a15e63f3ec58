"""Counts to precision, recall and F1: per watch-list, per language, micro-averaged."""

from __future__ import annotations

import pytest

from newswatch.evaluation.scores import Counts, Decision, count, score

LISTS = ("arms", "korea", "sanctions")


def test_precision_recall_f1_from_counts() -> None:
    counts = Counts(tp=8, fp=2, fn=8)
    assert counts.precision == pytest.approx(0.8)
    assert counts.recall == pytest.approx(0.5)
    assert counts.f1 == pytest.approx(2 * 0.8 * 0.5 / 1.3)


def test_nothing_expected_and_nothing_found_is_perfect_not_a_division_by_zero() -> None:
    assert Counts().precision == Counts().recall == Counts().f1 == 1.0
    assert Counts(fp=1).f1 == 0.0 and Counts(fn=1).f1 == 0.0


def test_a_true_negative_counts_nothing() -> None:
    assert count(expected=False, predicted=False) == Counts()
    assert count(expected=True, predicted=True) == Counts(tp=1)
    assert count(expected=False, predicted=True) == Counts(fp=1)
    assert count(expected=True, predicted=False) == Counts(fn=1)


def test_scores_per_watchlist_per_language_and_micro() -> None:
    decisions = [
        Decision("en", frozenset({"arms"}), frozenset({"arms"})),
        Decision("en", frozenset(), frozenset({"sanctions"})),
        Decision("ko", frozenset({"korea", "sanctions"}), frozenset({"korea"})),
        Decision("ko", frozenset(), frozenset()),
    ]
    scores = score(decisions, LISTS)
    assert scores.watchlists == {
        "arms": Counts(tp=1),
        "korea": Counts(tp=1),
        "sanctions": Counts(fp=1, fn=1),
    }
    assert scores.languages == {"en": Counts(tp=1, fp=1), "ko": Counts(tp=1, fn=1)}
    assert scores.articles == {"en": 2, "ko": 2}
    assert scores.micro == Counts(tp=2, fp=1, fn=1)
    assert scores.micro.f1 == pytest.approx(4 / 6)


def test_ignored_watchlists_are_not_scored_on_that_article() -> None:
    decisions = [
        Decision("en", frozenset(), frozenset({"arms", "korea"}), ignore=frozenset({"arms"})),
        Decision("en", frozenset({"arms"}), frozenset(), ignore=frozenset({"arms"})),
    ]
    scores = score(decisions, LISTS)
    assert scores.watchlists["arms"] == Counts()
    assert scores.watchlists["korea"] == Counts(fp=1)
    assert scores.micro == Counts(fp=1)


def test_figures_as_json_ready_dict() -> None:
    scores = score([Decision("de", frozenset({"arms"}), frozenset({"arms"}))], LISTS)
    figures = scores.as_dict()
    assert figures["articles"] == 1
    assert figures["micro"] == {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert figures["languages"] == {
        "de": {"articles": 1, "tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    }
