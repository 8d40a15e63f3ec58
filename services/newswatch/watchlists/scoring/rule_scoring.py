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

from newswatch.watchlists.rules.model import Field, Rule, Scope, Watchlist
from newswatch.watchlists.scoring.compiled import (
    EXCLUDE,
    FIELDS,
    NONE,
    CompiledList,
    CompiledRule,
    Found,
)
from newswatch.watchlists.text.sentences import FieldText

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
        vetoes = Candidates(occurrences((number, NONE)))
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
    """Whether a part of the firing lies in a vetoed sentence: O(parts x log n)."""
    return any((one.field, texts[one.field].sentence_of(one.start)) in excluded for one in firing.found)


def _firings(
    number: int,
    compiled: CompiledRule,
    occurrences: Callable[[tuple[int, int]], list[Found]],
    texts: dict[Field, FieldText],
) -> list[Firing]:
    """Each anchor with the nearest candidate of every other group: O(m) to index the groups,
    then O(groups x log m) per anchor (see `_nearest`)."""
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
            nearest = _nearest(anchor, candidates, rule.within, texts)
            if nearest is None:
                break
            company.append(nearest)
        else:
            firings.append(Firing(number, anchor, (anchor, *company)))
    return firings


class Candidates:
    """Occurrences in text order (field, then start), indexed for nearest-neighbour questions.

    Built in O(m): the (field, start) keys to bisect, and per item the furthest end of
    the items of its field up to it (`reach`), which tells a leftward walk when no
    earlier item can come within N words any more.
    """

    def __init__(self, items: list[Found]) -> None:
        self.items = items
        self.keys = [(_FIELD_ORDER[item.field], item.start) for item in items]
        self.reach: list[int] = []
        self._ranges: dict[tuple[Field, int, int], tuple[int, int]] = {}
        furthest, field = 0, None
        for item in items:
            furthest = item.end if item.field != field else max(furthest, item.end)
            field = item.field
            self.reach.append(furthest)

    def __bool__(self) -> bool:
        return bool(self.items)

    def between(self, field: Field, low: int, high: int) -> tuple[int, int]:
        """The index range of the items of `field` starting in [low, high): O(log m)."""
        known = self._ranges.get((field, low, high))
        if known is None:  # asked once per sentence: its anchors share the answer
            order = _FIELD_ORDER[field]
            first = bisect.bisect_left(self.keys, (order, low))
            known = self._ranges[field, low, high] = (
                first,
                bisect.bisect_left(self.keys, (order, high), first),
            )
        return known

    def first_from(self, field: Field, offset: int, low: int, high: int) -> int:
        """The index of the first item (within [low, high)) of `field` starting at or after offset."""
        return bisect.bisect_left(self.keys, (_FIELD_ORDER[field], offset), low, high)


def _scope_range(
    anchor: Found, candidates: Candidates, scope: Scope, texts: dict[Field, FieldText]
) -> tuple[int, int]:
    """The index range of the candidates the scope lets reach the anchor, in its own field."""
    if scope.kind == "article":
        return candidates.between(anchor.field, 0, len(texts[anchor.field].text) + 1)
    return candidates.between(anchor.field, *texts[anchor.field].sentence_around(anchor.start))


def _nearest(
    anchor: Found, candidates: Candidates, scope: Scope, texts: dict[Field, FieldText]
) -> Found | None:
    """The closest candidate within `scope` of the anchor (not the anchor's own text).

    Closest by start offset (another field is 1,000,000 further), ties to the earlier
    in text order; with "within N words", the closest of those within N words. Within
    a sentence, only the candidates of the anchor's sentence are looked at.

    O(log m + k) per anchor for m candidates: bisections find the first candidate
    after the anchor (word distance only grows from there) and the walk leftwards,
    which skips the k candidates that overlap the anchor or lie inside a longer
    candidate that reaches it: a number bounded by the patterns, not by the article.
    """
    field, start = anchor.field, anchor.start
    low, high = _scope_range(anchor, candidates, scope, texts)
    limit = scope.words if scope.kind == "words" else None
    best = _nearest_in_field(anchor, candidates, low, high, limit=limit, text=texts[field])
    if scope.kind == "article":
        for other in FIELDS:
            if other != field:
                found = _nearest_in_other_field(start, candidates, other, len(texts[other].text) + 1)
                if found is not None and (best is None or found < best):
                    best = found
    return None if best is None else candidates.items[best[1]]


def _nearest_in_field(
    anchor: Found, candidates: Candidates, low: int, high: int, *, limit: int | None, text: FieldText
) -> tuple[int, int] | None:
    """(distance, index) of the nearest candidate in items[low:high], not overlapping the anchor."""
    field, start, end = anchor.field, anchor.start, anchor.end
    items = candidates.items
    best: tuple[int, int] | None = None
    after = candidates.first_from(field, end, low, high)  # every one before it starts before `end`
    if after < high and (limit is None or text.words_in(end, items[after].start) <= limit):
        best = (items[after].start - start, after)
    before = _last_before(anchor, candidates, low, limit, text)
    if before is not None and (best is None or before < best):
        best = before
    return best


def _last_before(
    anchor: Found, candidates: Candidates, low: int, limit: int | None, text: FieldText
) -> tuple[int, int] | None:
    """(distance, index) of the latest-starting candidate before the anchor that does not
    overlap it and is within `limit` words (the earliest in text order of those with its start)."""
    items, keys = candidates.items, candidates.keys
    start = anchor.start
    order = _FIELD_ORDER[anchor.field]

    def fits(item: Found) -> bool:
        return item.end <= start and (limit is None or text.words_in(item.end, start) <= limit)

    index = bisect.bisect_left(keys, (order, start), low) - 1
    while index >= low:
        if fits(items[index]):
            break
        if limit is not None and text.words_in(candidates.reach[index], start) > limit:
            return None  # no item up to here ends within `limit` words
        index -= 1
    else:
        return None
    first_alike = bisect.bisect_left(keys, keys[index], low, index)
    index = next(alike for alike in range(first_alike, index + 1) if fits(items[alike]))
    return start - items[index].start, index


def _nearest_in_other_field(
    start: int, candidates: Candidates, field: Field, length: int
) -> tuple[int, int] | None:
    """(distance, index) of the candidate of `field` whose start is nearest `start` (+1,000,000)."""
    low, high = candidates.between(field, 0, length)
    after = candidates.first_from(field, start, low, high)
    best = None if after == high else (candidates.items[after].start - start + 1_000_000, after)
    if after > low:
        first_alike = bisect.bisect_left(candidates.keys, candidates.keys[after - 1], low, after)
        before = (start - candidates.items[first_alike].start + 1_000_000, first_alike)
        if best is None or before < best:
            best = before
    return best


def _vetoed_by_none(scope: Scope, anchor: Found, vetoes: Candidates, texts: dict[Field, FieldText]) -> bool:
    """Whether a veto is close to the anchor: in its sentence, and within N words if the
    scope says so (a veto overlapping the anchor is close). O(log m + k) as `_nearest`."""
    if scope.kind == "article":
        return bool(vetoes)
    low, high = _scope_range(anchor, vetoes, scope, texts)
    if scope.kind == "sentence" or low == high:
        return low < high
    text, limit = texts[anchor.field], scope.words
    items, start = vetoes.items, anchor.start
    after = vetoes.first_from(anchor.field, start, low, high)  # from here on: overlapping, then after
    if after < high and text.words_in(anchor.end, items[after].start) <= limit:
        return True
    index = after - 1
    while index >= low:
        if text.words_in(items[index].end, start) <= limit:
            return True
        if text.words_in(vetoes.reach[index], start) > limit:
            return False
        index -= 1
    return False


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
