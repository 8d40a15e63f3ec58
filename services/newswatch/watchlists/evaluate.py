"""Scoring one watch-list from the term occurrences found in an article.

The matcher has already read the article once; here the rules are evaluated from its
occurrences only: `any` rules count each mention, `all` rules count each mention of
their first group that has the other groups close enough, vetoes (`none` and the
list's `exclude`) remove mentions, and each stretch of text counts once, for the
heaviest rule that claims it.

Every article passes here, so the occurrences are first grouped by pattern: a rule
looks only at the occurrences of its own words, never at the whole list; and a list
whose rules cannot reach its threshold even if every mention counted (`reachable`) is
not evaluated at all on the matching path.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newswatch.watchlists.compiled import EXCLUDE, FIELDS, NONE, CompiledList, CompiledRule, Found
from newswatch.watchlists.model import Field, Rule, Scope, Watchlist
from newswatch.watchlists.text import FieldText

# Sums of float weights (0.3 + 0.3 + 0.4) must not miss a threshold by rounding.
EPSILON = 1e-9
_FIELD_ORDER = {field: number for number, field in enumerate(FIELDS)}


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


def _reachable(item: CompiledList, grouped: dict[tuple[int, int], list[int]]) -> bool:
    """False when the list cannot reach its threshold even if every mention counted.

    An upper bound of `evaluate`'s score, summed in the same order: each rule's weight
    times its first group's occurrences (capped by max_repeats), for rules whose other
    groups all occur. Vetoes, overlaps, fields and distances can only lower it.
    """
    bound = 0.0
    for number, compiled in enumerate(item.rules):
        rule = compiled.rule
        anchors = len(grouped.get((number, 0), ()))
        if anchors < rule.min_mentions or any(
            (number, part) not in grouped for part in range(1, len(compiled.parts))
        ):
            continue
        bound += max(rule.weight, 0.0) * min(anchors, rule.max_repeats)
    return round(bound, 3) + EPSILON >= item.watchlist.threshold


def may_reach(item: CompiledList, anchors: dict[int, int]) -> bool:
    """False when the list cannot reach its threshold, from its rules' first-group mentions.

    `anchors` counts, per rule number, the occurrences of the rule's first group. A
    bound above `_reachable`'s (which also needs every other group present), summed in
    the same order: an article no list may reach needs no other word looked up.
    """
    bound = 0.0
    for number, compiled in enumerate(item.rules):
        rule = compiled.rule
        count = anchors.get(number, 0)
        if count and count >= rule.min_mentions:
            bound += max(rule.weight, 0.0) * min(count, rule.max_repeats)
    return round(bound, 3) + EPSILON >= item.watchlist.threshold


def evaluate(
    item: CompiledList,
    found: Sequence[Found],
    positions: dict[int, list[int]],
    texts: dict[Field, FieldText],
    *,
    reachable_only: bool = False,
) -> Outcome | None:
    """Score a list from the article's occurrences (`found`, in text order; `by_pattern(found)`).

    With `reachable_only`, None instead of an outcome that cannot reach the threshold.
    """
    grouped = _by_role(item, positions)
    if reachable_only and not _reachable(item, grouped):
        return None
    rules = item.rules

    def occurrences(role: tuple[int, int]) -> list[Found]:
        return [found[position] for position in grouped.get(role, ())]

    excluded = {(one.field, texts[one.field].sentence_of(one.start)) for one in occurrences((EXCLUDE, 0))}
    candidates: list[Firing] = []
    vetoed = [0] * len(rules)
    for number, compiled in enumerate(rules):
        if (number, 0) not in grouped:
            continue
        vetoes = occurrences((number, NONE))
        for firing in _firings(number, compiled, occurrences, texts):
            if (excluded and _in_excluded_sentence(firing, excluded, texts)) or (
                vetoes and _vetoed_by_none(compiled.rule.within, firing.anchor, vetoes, texts)
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
    return Outcome(item.watchlist, round(score, 3), tuple(outcomes))


def _in_excluded_sentence(
    firing: Firing, excluded: set[tuple[Field, int]], texts: dict[Field, FieldText]
) -> bool:
    return any((one.field, texts[one.field].sentence_of(one.start)) in excluded for one in firing.found)


def _firings(
    number: int,
    compiled: CompiledRule,
    occurrences: Callable[[tuple[int, int]], list[Found]],
    texts: dict[Field, FieldText],
) -> list[Firing]:
    rule = compiled.rule
    field = rule.field
    anchors = [one for one in occurrences((number, 0)) if field in ("any", one.field)]
    if not anchors:
        return []
    others = []
    for part in range(1, len(compiled.parts)):
        candidates = [one for one in occurrences((number, part)) if field in ("any", one.field)]
        if not candidates:
            return []
        others.append(candidates)
    firings = []
    for anchor in anchors:
        company = []
        for candidates in others:
            nearest = _nearest(anchor, candidates, rule.within, texts)
            if nearest is None:
                break
            company.append(nearest)
        else:
            firings.append(Firing(number, anchor, (anchor, *company)))
    return firings


def _position(item: Found) -> tuple[int, int]:
    return _FIELD_ORDER[item.field], item.start


def _in_sentence(anchor: Found, items: list[Found], texts: dict[Field, FieldText]) -> list[Found]:
    """The items (in text order) that start in the anchor's field and sentence, found by bisection."""
    order = _FIELD_ORDER[anchor.field]
    low, high = texts[anchor.field].sentence_around(anchor.start)
    first = bisect.bisect_left(items, (order, low), key=_position)
    return items[first : bisect.bisect_left(items, (order, high), lo=first, key=_position)]


def _nearest(
    anchor: Found, candidates: list[Found], scope: Scope, texts: dict[Field, FieldText]
) -> Found | None:
    """The closest candidate within `scope` of the anchor (not the anchor's own text).

    The same test as `_close` for each candidate: within a sentence, only the
    candidates of the anchor's sentence are looked at.
    """
    best: Found | None = None
    best_distance = 0
    field, start, end = anchor.field, anchor.start, anchor.end
    whole_article = scope.kind == "article"
    text = texts[field]
    for item in candidates if whole_article else _in_sentence(anchor, candidates, texts):
        same_field = item.field == field
        if same_field and item.start < end and start < item.end:
            continue  # the anchor's own text
        if scope.kind == "words" and text.words_between((start, end), (item.start, item.end)) > scope.words:
            continue
        distance = abs(item.start - start) + (0 if same_field else 1_000_000)
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


def _vetoed_by_none(scope: Scope, anchor: Found, vetoes: list[Found], texts: dict[Field, FieldText]) -> bool:
    """Whether a veto is `_close` to the anchor: only the vetoes of its sentence are looked at."""
    if scope.kind == "article":
        return bool(vetoes)
    return any(_close(anchor, one, scope, texts) for one in _in_sentence(anchor, vetoes, texts))


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
            _FIELD_ORDER[firing.anchor.field],
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
    kept.sort(key=lambda firing: (_FIELD_ORDER[firing.anchor.field], firing.anchor.start))
    return kept
