"""Scoring one watch-list from the term occurrences found in an article.

The matcher has already read the article once; here the rules are evaluated from its
occurrences only: `any` rules count each mention, `all` rules count each mention of
their first group that has the other groups close enough, vetoes (`none` and the
list's `exclude`) remove mentions, and each stretch of text counts once, for the
heaviest rule that claims it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newswatch.watchlists.model import Field, Rule, Scope, Watchlist
from newswatch.watchlists.text import FieldText

# Sums of float weights (0.3 + 0.3 + 0.4) must not miss a threshold by rounding.
EPSILON = 1e-9
FIELDS: tuple[Field, ...] = ("title", "body")


@dataclass(frozen=True, slots=True)
class Found:
    """Pattern number `pattern` found in `field` at normalised text[start:end]."""

    field: Field
    pattern: int
    start: int
    end: int

    def overlaps(self, other: Found) -> bool:
        return self.field == other.field and self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with its term sets as sets of pattern numbers of the engine's matcher."""

    rule: Rule
    parts: tuple[frozenset[int], ...]
    none: frozenset[int]


@dataclass(frozen=True, slots=True)
class Firing:
    """One counted mention of a rule: where it is anchored and all the evidence for it."""

    rule: int
    anchor: Found
    found: tuple[Found, ...]


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    rule: Rule
    firings: tuple[Firing, ...]  # counted ones first, in text order
    counted: int
    points: float
    vetoed: int


@dataclass(frozen=True, slots=True)
class Outcome:
    watchlist: Watchlist
    score: float
    rules: tuple[RuleOutcome, ...]

    @property
    def matched(self) -> bool:
        return self.score + EPSILON >= self.watchlist.threshold


def evaluate(
    watchlist: Watchlist,
    rules: Sequence[CompiledRule],
    exclusions: frozenset[int],
    found: Sequence[Found],
    texts: dict[Field, FieldText],
) -> Outcome:
    """Score `watchlist` from the article's occurrences (`found`, in text order)."""
    excluded = {
        (item.field, texts[item.field].sentence_of(item.start))
        for item in found
        if item.pattern in exclusions
    }

    def in_excluded_sentence(item: Found) -> bool:
        return bool(excluded) and (item.field, texts[item.field].sentence_of(item.start)) in excluded

    candidates: list[Firing] = []
    vetoed = [0] * len(rules)
    for number, compiled in enumerate(rules):
        for firing in _firings(number, compiled, found, texts):
            if any(in_excluded_sentence(item) for item in firing.found) or _vetoed_by_none(
                compiled, firing.anchor, found, texts
            ):
                vetoed[number] += 1
            else:
                candidates.append(firing)
    kept = _one_per_stretch(candidates, lambda firing: rules[firing.rule].rule.weight)
    outcomes = []
    score = 0.0
    for number, compiled in enumerate(rules):
        rule = compiled.rule
        mine = tuple(firing for firing in kept if firing.rule == number)
        counted = min(len(mine), rule.max_repeats) if len(mine) >= rule.min_mentions else 0
        points = rule.weight * counted
        score += points
        outcomes.append(RuleOutcome(rule, mine, counted, points, vetoed[number]))
    return Outcome(watchlist, round(score, 3), tuple(outcomes))


def _firings(
    number: int, compiled: CompiledRule, found: Sequence[Found], texts: dict[Field, FieldText]
) -> list[Firing]:
    rule = compiled.rule
    allowed = [item for item in found if rule.field in ("any", item.field)]
    anchors = [item for item in allowed if item.pattern in compiled.parts[0]]
    if not anchors:
        return []
    others = [[item for item in allowed if item.pattern in part] for part in compiled.parts[1:]]
    firings = []
    for anchor in anchors:
        company = [_nearest(anchor, candidates, rule.within, texts) for candidates in others]
        if all(item is not None for item in company):
            firings.append(Firing(number, anchor, (anchor, *(item for item in company if item is not None))))
    return firings


def _nearest(
    anchor: Found, candidates: list[Found], scope: Scope, texts: dict[Field, FieldText]
) -> Found | None:
    """The closest candidate within `scope` of the anchor (not the anchor's own text)."""
    best: Found | None = None
    best_distance = 0
    for item in candidates:
        if item.overlaps(anchor) or not _close(anchor, item, scope, texts):
            continue
        distance = abs(item.start - anchor.start) + (0 if item.field == anchor.field else 1_000_000)
        if best is None or distance < best_distance:
            best, best_distance = item, distance
    return best


def _close(anchor: Found, item: Found, scope: Scope, texts: dict[Field, FieldText]) -> bool:
    if scope.kind == "article":
        return True
    if item.field != anchor.field:
        return False
    text = texts[anchor.field]
    if text.sentence_of(anchor.start) != text.sentence_of(item.start):
        return False  # "within N words" does not reach into the next sentence either
    return (
        scope.kind == "sentence"
        or text.words_between((anchor.start, anchor.end), (item.start, item.end)) <= scope.words
    )


def _vetoed_by_none(
    compiled: CompiledRule, anchor: Found, found: Sequence[Found], texts: dict[Field, FieldText]
) -> bool:
    if not compiled.none:
        return False
    scope = compiled.rule.within
    return any(item.pattern in compiled.none and _close(anchor, item, scope, texts) for item in found)


def _one_per_stretch(firings: list[Firing], weight: Callable[[Firing], float]) -> list[Firing]:
    """The firings whose anchors do not overlap a heavier (then longer, then earlier) one.

    Each stretch of text is one piece of evidence and counts once: "sanksi PBB" and
    "sanksi" at the same place are the same mention, counted for the strongest rule.
    """
    ranked = sorted(
        firings,
        key=lambda firing: (
            -weight(firing),
            firing.anchor.start - firing.anchor.end,
            FIELDS.index(firing.anchor.field),
            firing.anchor.start,
        ),
    )
    kept: list[Firing] = []
    for firing in ranked:
        if not any(firing.anchor.overlaps(other.anchor) for other in kept):
            kept.append(firing)
    kept.sort(key=lambda firing: (FIELDS.index(firing.anchor.field), firing.anchor.start))
    return kept
