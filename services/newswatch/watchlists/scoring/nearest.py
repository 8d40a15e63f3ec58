"""Which occurrence is nearest an anchor, and whether a veto is close to it.

The proximity questions of `all` rules and `none` vetoes ("in the same sentence",
"within N words", "in the article"), answered by bisection over the candidates of one
rule group in text order instead of a scan over all of them: O(log m + k) per anchor,
k bounded by the patterns, not by the article.
"""

from __future__ import annotations

import bisect

from newswatch.watchlists.rules.model import FIELD_ORDER, FIELDS, Field, Scope
from newswatch.watchlists.scoring.matcher import Found
from newswatch.watchlists.text.sentences import FieldText


class Candidates:
    """Occurrences in text order (field, then start), indexed for nearest-neighbour questions.

    Built in O(m): the (field, start) keys to bisect, and per item the furthest end of
    the items of its field up to it (`reach`), which tells a leftward walk when no
    earlier item can come within N words any more.
    """

    def __init__(self, items: list[Found]) -> None:
        self.items = items
        self.keys = [(FIELD_ORDER[item.field], item.start) for item in items]
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
            order = FIELD_ORDER[field]
            first = bisect.bisect_left(self.keys, (order, low))
            known = self._ranges[field, low, high] = (
                first,
                bisect.bisect_left(self.keys, (order, high), first),
            )
        return known

    def first_from(self, field: Field, offset: int, low: int, high: int) -> int:
        """The index of the first item (within [low, high)) of `field` starting at or after offset."""
        return bisect.bisect_left(self.keys, (FIELD_ORDER[field], offset), low, high)


def _scope_range(
    anchor: Found, candidates: Candidates, scope: Scope, texts: dict[Field, FieldText]
) -> tuple[int, int]:
    """The index range of the candidates the scope lets reach the anchor, in its own field."""
    if scope.kind == "article":
        return candidates.between(anchor.field, 0, len(texts[anchor.field].text) + 1)
    return candidates.between(anchor.field, *texts[anchor.field].sentence_around(anchor.start))


def nearest_candidate(
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
    order = FIELD_ORDER[anchor.field]

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


def vetoed_by_none(scope: Scope, anchor: Found, vetoes: Candidates, texts: dict[Field, FieldText]) -> bool:
    """Whether a veto is close to the anchor: in its sentence, and within N words if the
    scope says so (a veto overlapping the anchor is close). O(log m + k) as `nearest_candidate`."""
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
