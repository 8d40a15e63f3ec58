"""What a query means: from the mentions of its terms, whether it matches and the evidence.

Pure and independent of how mentions are found. The engine's matcher reports each
term's occurrences as character spans; `mention_at` turns one into a `Mention` with
word positions counted as `within: N words` counts them (`FieldText.words_in`), so
NEAR/n and `within: n words` agree: at most n words between the two, either order.

Every node is evaluated once, bottom-up, to the stretches of text ("windows") where it
is found: a term's mentions, an OR's union, a NEAR's pairs. NEAR pairs each window of
one side with the nearest window of the other that does not overlap it, by a sweep
over both sides in text order (a heap for the ones before, a bisection for the one
after): O(m log m) for m mentions, never all pairs, and at most one window per
window of either side, so no node holds more windows than its terms have mentions.
Mentions in different fields are never near each other; sentence ends do not matter.
Queries evaluated on one article may share the values of the nodes they have in
common (`Shared`), when their mentions are labelled by pattern rather than by term.
"""

from __future__ import annotations

import heapq
import sys
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from newswatch.watchlists.rules.model import FIELD_ORDER, FIELDS, Field
from newswatch.watchlists.rules.query.nodes import And, AtLeast, InField, Near, Node, Not, Or, Query, Term
from newswatch.watchlists.text.sentences import FieldText


class Mention(NamedTuple):
    """Term number `term` found in `field`, from word `first` to word `last` (0-based, inclusive).

    Named tuples, as the windows and node values below: a query builds one per mention
    and window on every article it is evaluated on, and a tuple is several times
    cheaper to build and hash than a frozen dataclass (ordered, hashed and compared alike).
    """

    field: Field
    first: int
    last: int
    term: int


@dataclass(frozen=True, slots=True)
class QueryOutcome:
    """Whether the query matched, and the mentions that made it match (in text order)."""

    matched: bool
    evidence: tuple[Mention, ...]


class Window(NamedTuple):
    """A stretch of one field where a node is found, and the mentions that make it."""

    field: Field
    first: int
    last: int
    evidence: tuple[Mention, ...]


class NodeValue(NamedTuple):
    """What one node of the query comes to on an article."""

    matched: bool
    windows: tuple[Window, ...]  # empty for AND, NOT and atleast, which have no place
    evidence: tuple[Mention, ...]


_NOTHING = NodeValue(False, (), ())


def mention_at(term: int, field: Field, text: FieldText, start: int, end: int) -> Mention:
    """The mention of a term found at text[start:end] (normalised offsets, as the matcher reports)."""
    first = text.words_before(start)
    return Mention(field, first, max(first, text.words_before(end) - 1), term)


def evaluate(query: Query, mentions: Iterable[Mention]) -> QueryOutcome:
    """Decide the query on an article whose terms were found at `mentions` (any order)."""
    by_term: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_term.setdefault(mention.term, []).append(mention)
    return evaluate_terms(query, by_term)


def evaluate_terms(
    query: Query, by_term: Mapping[int, Sequence[Mention]], shared: Shared | None = None
) -> QueryOutcome:
    """`evaluate`, with the mentions already grouped by term number (each group in text order).

    With `shared`, node values are kept in and taken from `shared.values`: see `Shared`.
    """
    value = Evaluator(by_term, shared).value(query.root, None)
    return QueryOutcome(value.matched, _ordered(value.evidence) if value.matched else ())


@dataclass(frozen=True, slots=True)
class Shared:
    """Node values one article shares between queries (a desk's lists reuse topic groups).

    Sound only when every query sees the same mentions of the same pattern, labelled by
    pattern number rather than by term number (the engine's `ArticleMentions`): a node's
    value then depends on its patterns alone. `keys` (by node id, from `shared_keys`) names
    one query's nodes; `values` holds one article's values, by key and field.
    """

    keys: Mapping[int, str]
    values: dict[tuple[str, Field | None], NodeValue]


def shared_keys(root: Node, patterns: Sequence[int]) -> dict[int, str]:
    """For each node but the terms, by id: a text that two queries' nodes have in common
    exactly when they mean the same, their terms written as pattern numbers."""
    keys: dict[int, str] = {}

    def key(node: Node) -> str:
        if isinstance(node, Term):
            return f"p{patterns[node.number]}"
        if isinstance(node, And | Or):
            text = f"{type(node).__name__}({','.join(key(operand) for operand in node.operands)})"
        elif isinstance(node, Near):
            text = f"Near{node.distance}({key(node.left)},{key(node.right)})"
        elif isinstance(node, InField):
            text = f"{node.field}:({key(node.operand)})"
        elif isinstance(node, AtLeast):
            text = f"AtLeast{node.count}({key(node.operand)})"
        else:
            text = f"Not({key(node.operand)})"
        keys[id(node)] = text
        return text

    key(root)
    return keys


class Evaluator:
    """Evaluates nodes of one query on one article's mentions (`reasons` asks node by node)."""

    def __init__(self, by_term: Mapping[int, Sequence[Mention]], shared: Shared | None = None) -> None:
        self.by_term = by_term
        self.shared = shared

    def value(self, node: Node, field: Field | None) -> NodeValue:
        shared = self.shared
        if shared is None or isinstance(node, Term):
            return self._value(node, field)
        key = (shared.keys[id(node)], field)
        known = shared.values.get(key)
        if known is None:
            known = shared.values[key] = self._value(node, field)
        return known

    def _value(self, node: Node, field: Field | None) -> NodeValue:
        if isinstance(node, Term):
            mentions = self.by_term.get(node.number)
            if not mentions:  # most terms of a broad query, on most articles
                return _NOTHING
            found = mentions if field is None else [one for one in mentions if one.field == field]
            places = [Window(one.field, one.first, one.last, (one,)) for one in found]
            if len(places) > 1:
                places.sort(key=_window_order)
            return NodeValue(bool(places), tuple(places), tuple(found))
        if isinstance(node, InField):
            return self.value(node.operand, node.field)
        if isinstance(node, Or):
            return _union([self.value(operand, field) for operand in node.operands])
        if isinstance(node, And):
            return self.conjunction(node, field)
        if isinstance(node, Near):
            left, right = self.value(node.left, field), self.value(node.right, field)
            windows = _near(left.windows, right.windows, node.distance)
            return NodeValue(bool(windows), windows, _evidence_of(windows))
        if isinstance(node, AtLeast):
            counted = self.value(node.operand, field)
            if len(counted.windows) < node.count:
                return _NOTHING
            return NodeValue(True, (), counted.evidence)
        # A NOT is only ever an operand of AND (the parser sees to it), decided there.
        raise AssertionError(f"NOT outside AND at column {node.column}")

    def conjunction(self, node: And, field: Field | None) -> NodeValue:
        evidence: list[Mention] = []
        for operand in node.operands:
            if isinstance(operand, Not):
                if self.value(operand.operand, field).matched:
                    return _NOTHING
                continue
            value = self.value(operand, field)
            if not value.matched:
                return _NOTHING
            evidence.extend(value.evidence)
        return NodeValue(True, (), tuple(evidence))


def _union(values: Sequence[NodeValue]) -> NodeValue:
    """An OR: found where any operand is. One stretch of text is one mention, whichever term
    found it: a window inside a longer one ("acme" in "acme dynamics") is left out."""
    windows = sorted(
        (window for value in values for window in value.windows),
        key=lambda window: (FIELD_ORDER[window.field], window.first, -window.last),
    )
    kept: list[Window] = []
    reach = -1  # the last word the kept windows of the current field reach
    for window in windows:
        if kept and kept[-1].field == window.field and window.last <= reach:
            continue
        reach = window.last
        kept.append(window)
    # Operands without a place (AND, atleast) bring their own evidence; the others, their windows'.
    evidence = [one for value in values if value.matched and not value.windows for one in value.evidence]
    # `kept` is in text order already: of the windows starting at one word, only the
    # longest (the first in the order above) is kept.
    ordered = tuple(kept)
    return NodeValue(any(value.matched for value in values), ordered, (*evidence, *_evidence_of(ordered)))


def _near(left: Sequence[Window], right: Sequence[Window], distance: int) -> tuple[Window, ...]:
    """Each window of either side joined with its nearest partner on the other side, if close enough."""
    joined: dict[tuple[Field, int, int, tuple[Mention, ...]], Window] = {}
    for field in FIELDS:
        mine = [window for window in left if window.field == field]
        theirs = [window for window in right if window.field == field]
        if not mine or not theirs:
            continue
        pairs = [*_partners(mine, theirs, distance), *_partners(theirs, mine, distance)]
        for one, other in pairs:
            window = _join(one, other)
            joined.setdefault((field, window.first, window.last, window.evidence), window)
    return tuple(sorted(joined.values(), key=_window_order))


def nearest_gap(left: Sequence[Window], right: Sequence[Window]) -> int | None:
    """The fewest words between a window of one side and one of the other in the same field.

    None when no two are in the same field (or every pair overlaps). For `explain`: how
    far a NEAR that failed was from matching.
    """
    gaps = [
        _gap(one, other)
        for field in FIELDS
        for one, other in _partners(
            [window for window in left if window.field == field],
            [window for window in right if window.field == field],
            distance=sys.maxsize,
        )
    ]
    return min(gaps, default=None)


def _gap(one: Window, other: Window) -> int:
    first, second = sorted((one, other), key=_window_order)
    return second.first - first.last - 1


def _partners(
    anchors: Sequence[Window], candidates: Sequence[Window], distance: int
) -> list[tuple[Window, Window]]:
    """Each anchor with the nearest candidate at most `distance` words away, not overlapping it.

    Both sides are in text order (by first word). Candidates that start before the anchor
    wait in a heap by their last word until the anchors pass it: then they lie wholly
    before every later anchor, and only the one ending last matters. The nearest after
    the anchor is found by bisection. O((a + c) log c).
    """
    firsts = [candidate.first for candidate in candidates]
    waiting: list[tuple[int, int]] = []
    before: Window | None = None
    added = 0
    pairs: list[tuple[Window, Window]] = []
    for anchor in anchors:
        while added < len(candidates) and candidates[added].first < anchor.first:
            heapq.heappush(waiting, (candidates[added].last, added))
            added += 1
        while waiting and waiting[0][0] < anchor.first:
            _, index = heapq.heappop(waiting)
            if before is None or candidates[index].last >= before.last:
                before = candidates[index]
        best: tuple[int, Window] | None = None
        if before is not None:
            best = (anchor.first - before.last - 1, before)
        after = bisect_right(firsts, anchor.last)
        if after < len(candidates):
            gap = candidates[after].first - anchor.last - 1
            if best is None or gap < best[0]:
                best = (gap, candidates[after])
        if best is not None and best[0] <= distance:
            pairs.append((anchor, best[1]))
    return pairs


def _join(one: Window, other: Window) -> Window:
    first, second = sorted((one, other), key=_window_order)
    return Window(
        one.field, min(one.first, other.first), max(one.last, other.last), first.evidence + second.evidence
    )


def _evidence_of(windows: Sequence[Window]) -> tuple[Mention, ...]:
    return tuple(one for window in windows for one in window.evidence)


def _window_order(window: Window) -> tuple[int, int, int]:
    return FIELD_ORDER[window.field], window.first, window.last


def _ordered(evidence: Iterable[Mention]) -> tuple[Mention, ...]:
    """Each mention once, in text order (title first)."""
    return tuple(
        sorted(set(evidence), key=lambda one: (FIELD_ORDER[one.field], one.first, one.last, one.term))
    )
