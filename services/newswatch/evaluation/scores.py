"""Counts of right and wrong answers, turned into precision, recall and F1.

One decision is one (article, watch-list) pair: the engine matched it or not, the
label says it should or not. Pairs a label file `ignore`s are not counted. Figures are
given per watch-list, per language (all lists together) and micro-averaged (every
decision counted once). A ratio with nothing to count (no alert and nothing expected)
is 1.0: nothing was missed and nothing was wrong.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, false positives and false negatives of one set of decisions."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        wrong = self.fp + self.fn
        return 2 * self.tp / (2 * self.tp + wrong) if self.tp or wrong else 1.0

    def as_dict(self) -> dict[str, float]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """What was expected of one article and what the engine said."""

    language: str
    expected: frozenset[str]
    predicted: frozenset[str]
    ignore: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Scores:
    """Counts per watch-list, per language and over everything."""

    watchlists: dict[str, Counts]
    languages: dict[str, Counts]
    articles: dict[str, int] = field(default_factory=dict)  # articles per language

    @property
    def micro(self) -> Counts:
        return sum(self.watchlists.values(), Counts())

    def as_dict(self) -> dict[str, object]:
        return {
            "articles": sum(self.articles.values()),
            "micro": self.micro.as_dict(),
            "watchlists": {name: counts.as_dict() for name, counts in self.watchlists.items()},
            "languages": {
                language: {"articles": self.articles[language], **counts.as_dict()}
                for language, counts in self.languages.items()
            },
        }


def count(expected: bool, predicted: bool) -> Counts:
    """One decision as counts (a true negative counts nothing)."""
    return Counts(
        tp=int(expected and predicted), fp=int(predicted and not expected), fn=int(expected and not predicted)
    )


def score(decisions: Iterable[Decision], watchlists: Collection[str]) -> Scores:
    """Add up every decision on every watch-list in `watchlists` (sorted by name)."""
    by_list = {name: Counts() for name in sorted(watchlists)}
    by_language: dict[str, Counts] = {}
    articles: dict[str, int] = {}
    for decision in decisions:
        articles[decision.language] = articles.get(decision.language, 0) + 1
        language = by_language.get(decision.language, Counts())
        for name in by_list:
            if name in decision.ignore:
                continue
            counts = count(name in decision.expected, name in decision.predicted)
            by_list[name] += counts
            language += counts
        by_language[decision.language] = language
    ordered = dict(sorted(by_language.items()))
    return Scores(by_list, ordered, dict(sorted(articles.items())))
