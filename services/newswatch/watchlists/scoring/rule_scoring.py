"""Scoring one watch-list from the term occurrences found in an article.

The matcher has already read the article once; here the rules are scored from its
occurrences only: `any` rules count each mention, `all` rules count each mention of
their first group that has the other groups close enough, vetoes (`none` and the
list's `exclude`) remove mentions, and each stretch of text counts once, for the
heaviest rule that claims it. The result, a `ListOutcome`, carries the score and the
occurrences behind it (`evidence`): the engine needs nothing else to cut its hits.

Every article passes here, so the occurrences are first grouped by pattern: a rule
looks only at the occurrences of its own words, never at the whole list; and a list
whose rules cannot reach its threshold even if every mention counted
(`score_upper_bound`) is not scored at all on the matching path.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newswatch.watchlists.rules.model import FIELD_ORDER, FIELDS, Field, Rule, Watchlist
from newswatch.watchlists.scoring.compiled import (
    EXCLUSION_RULE,
    QUERY_RULE,
    VETO_GROUP,
    CompiledList,
    CompiledRule,
)
from newswatch.watchlists.scoring.matcher import Found
from newswatch.watchlists.scoring.nearest import Candidates, nearest_candidate, vetoed_by_none
from newswatch.watchlists.text.sentences import FieldText

if TYPE_CHECKING:  # query_scoring builds on this module
    from newswatch.watchlists.scoring.query_scoring import QueryResult

# Sums of float weights (0.3 + 0.3 + 0.4) must not miss a threshold by rounding.
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Firing:
    """One counted mention of a rule: where it is anchored and all the evidence for it."""

    rule: int
    anchor: Found
    found: tuple[Found, ...]


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """One rule of a list on one article: its mentions, those that counted, its points."""

    rule: Rule
    firings: tuple[Firing, ...]  # counted ones first, in text order
    counted: int
    points: float
    vetoed: int

    @property
    def mentions(self) -> int:
        """Mentions found, after vetoes and overlaps (counted or not)."""
        return len(self.firings)

    @property
    def evidence(self) -> tuple[Found, ...]:
        """The occurrences behind the rule's mentions, mention by mention, anchor first."""
        return tuple(item for firing in self.firings for item in firing.found)


@dataclass(frozen=True, slots=True)
class ListOutcome:
    """One watch-list on one article: its score and each rule's part in it (and the query's)."""

    watchlist: Watchlist
    score: float
    rules: tuple[RuleOutcome, ...]
    query: QueryResult | None = None

    @property
    def matched(self) -> bool:
        return reaches_threshold(self.score, self.watchlist)

    @property
    def evidence(self) -> tuple[Found, ...]:
        """The occurrences behind the mentions of the rules that scored, rule by rule, then the query's."""
        query = self.query.evidence if self.query is not None else ()
        return (*(item for rule in self.rules if rule.counted for item in rule.evidence), *query)


def reaches_threshold(score: float, watchlist: Watchlist) -> bool:
    """Whether a score (rounded to 3 places, as scores are) reaches the list's threshold."""
    return score + EPSILON >= watchlist.threshold


def score_upper_bound(
    item: CompiledList, mentions: Mapping[int, int], groups: Container[tuple[int, int]] | None = None
) -> float:
    """The most `score_list` can score for the list, rounded as scores are.

    `mentions` counts, per rule number, the occurrences of the rule's first group. Each
    rule with at least min_mentions of them adds its weight per mention (capped by
    max_repeats), summed in `score_list`'s order; vetoes, overlaps, fields and
    distances can only lower that. With `groups`, the (rule, group) roles that occur in
    the article, a rule missing one of its other groups adds nothing (a tighter bound);
    without, the bound is judged from the first groups alone (the engine's screen). A query
    counts as a rule whose weight is the threshold, when `mentions` has terms of it (QUERY_RULE).
    """
    bound = item.watchlist.threshold if item.query is not None and mentions.get(QUERY_RULE) else 0.0
    for number, compiled in enumerate(item.rules):
        rule = compiled.rule
        count = mentions.get(number, 0)
        if not count or count < rule.min_mentions:
            continue
        if groups is not None and any((number, part) not in groups for part in range(1, len(compiled.parts))):
            continue
        bound += max(rule.weight, 0.0) * min(count, rule.max_repeats)
    return round(bound, 3)


def _by_role(item: CompiledList, positions: dict[int, list[int]]) -> dict[tuple[int, int], list[int]]:
    """Positions of the occurrences of each rule group, veto and exclusion, in text order."""
    grouped: dict[tuple[int, int], list[int]] = {}
    merged: set[tuple[int, int]] = set()
    roles = item.roles
    for pattern, where in positions.items():
        for role in roles.get(pattern, ()):
            existing = grouped.get(role)
            if existing is None:
                grouped[role] = where
                continue
            if role not in merged:  # a copy: `positions` is shared by every list
                merged.add(role)
                existing = grouped[role] = list(existing)
            existing.extend(where)
    for role in merged:
        grouped[role].sort()
    return grouped


def score_list(
    item: CompiledList,
    found: Sequence[Found],
    positions: dict[int, list[int]],
    texts: dict[Field, FieldText],
    *,
    reachable_only: bool = False,
) -> ListOutcome | None:
    """Score a list from the article's occurrences (`found`, in text order; `by_pattern(found)`).

    With `reachable_only`, None instead of an outcome that cannot reach the threshold.
    """
    grouped = _by_role(item, positions)
    if reachable_only:
        anchors = {number: len(where) for (number, part), where in grouped.items() if part == 0}
        if not reaches_threshold(score_upper_bound(item, anchors, grouped), item.watchlist):
            return None
    rules = item.rules

    def occurrences(role: tuple[int, int]) -> list[Found]:
        return [found[position] for position in grouped.get(role, ())]

    excluded = {
        (one.field, texts[one.field].sentence_of(one.start)) for one in occurrences((EXCLUSION_RULE, 0))
    }
    candidates: list[Firing] = []
    vetoed = [0] * len(rules)
    for number, compiled in enumerate(rules):
        if (number, 0) not in grouped:
            continue
        vetoes = Candidates(occurrences((number, VETO_GROUP)))
        for firing in _firings(number, compiled, occurrences, texts):
            if (excluded and _in_excluded_sentence(firing, excluded, texts)) or (
                vetoes and vetoed_by_none(compiled.rule.within, firing.anchor, vetoes, texts)
            ):
                vetoed[number] += 1
            else:
                candidates.append(firing)
    kept = _one_per_stretch(candidates, lambda firing: rules[firing.rule].rule.weight)
    by_rule: dict[int, list[Firing]] = {}
    for firing in kept:  # each rule's firings, in the order kept
        by_rule.setdefault(firing.rule, []).append(firing)
    outcomes = []
    score = 0.0
    for number, compiled in enumerate(rules):
        rule = compiled.rule
        mine = tuple(by_rule.get(number, ()))
        counted = min(len(mine), rule.max_repeats) if len(mine) >= rule.min_mentions else 0
        points = rule.weight * counted
        score += points
        outcomes.append(RuleOutcome(rule, mine, counted, points, vetoed[number]))
    return ListOutcome(item.watchlist, round(score, 3), tuple(outcomes))


def _in_excluded_sentence(
    firing: Firing, excluded: set[tuple[Field, int]], texts: dict[Field, FieldText]
) -> bool:
    """Whether a part of the firing lies in a vetoed sentence: O(parts x log n)."""
    return any((one.field, texts[one.field].sentence_of(one.start)) in excluded for one in firing.found)


def _firings(
    number: int,
    compiled: CompiledRule,
    occurrences: Callable[[tuple[int, int]], list[Found]],
    texts: dict[Field, FieldText],
) -> list[Firing]:
    """Each anchor with the nearest candidate of every other group: O(m) to index the groups,
    then O(groups x log m) per anchor (see `nearest_candidate`)."""
    rule = compiled.rule
    field = rule.field
    anchors = [one for one in occurrences((number, 0)) if field in ("any", one.field)]
    if not anchors:
        return []
    others = []
    for part in range(1, len(compiled.parts)):
        group = [one for one in occurrences((number, part)) if field in ("any", one.field)]
        if not group:
            return []
        others.append(Candidates(group))
    firings = []
    for anchor in anchors:
        company = []
        for candidates in others:
            nearest = nearest_candidate(anchor, candidates, rule.within, texts)
            if nearest is None:
                break
            company.append(nearest)
        else:
            firings.append(Firing(number, anchor, (anchor, *company)))
    return firings


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
            FIELD_ORDER[firing.anchor.field],
            firing.anchor.start,
        ),
    )
    kept: list[Firing] = []
    # Kept anchors never overlap each other, so per field they are disjoint spans: sorted
    # by start, a new span can only overlap its neighbours. Checking just those keeps this
    # linear-logarithmic for articles that repeat one word thousands of times.
    spans: dict[Field, tuple[list[int], list[int]]] = {field: ([], []) for field in FIELDS}
    for firing in ranked:
        starts, ends = spans[firing.anchor.field]
        at = bisect.bisect_left(starts, firing.anchor.start)
        if at > 0 and ends[at - 1] > firing.anchor.start:
            continue
        if at < len(starts) and starts[at] < firing.anchor.end:
            continue
        starts.insert(at, firing.anchor.start)
        ends.insert(at, firing.anchor.end)
        kept.append(firing)
    kept.sort(key=lambda firing: (FIELD_ORDER[firing.anchor.field], firing.anchor.start))
    return kept
