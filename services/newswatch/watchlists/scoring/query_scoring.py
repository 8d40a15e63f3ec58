"""Scoring a watch-list that holds a Boolean query, from the occurrences the matcher found.

The query's terms are patterns of the engine's one matcher, found in the same single
pass as the rules' words. Here their occurrences become word positions (`mention_at`,
O(log n) each, once an article for all lists: `ArticleMentions`), `semantics` decides
the query (O(m log m) for m mentions; parts other lists share are decided once an
article), and the mentions it names as evidence go back to the occurrences they came
from, so the hits are cut exactly as a rule's are. A query that matches adds the list's
threshold to the rules' score: it alerts on its own, and rules keep scoring as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from newswatch.watchlists.rules.model import FIELD_ORDER, Field
from newswatch.watchlists.rules.query.reasons import NodeReason, reasons
from newswatch.watchlists.rules.query.semantics import (
    Mention,
    NodeValue,
    QueryOutcome,
    Shared,
    evaluate_terms,
    mention_at,
)
from newswatch.watchlists.scoring.compiled import CompiledList, CompiledQuery
from newswatch.watchlists.scoring.matcher import Found
from newswatch.watchlists.scoring.rule_scoring import ListOutcome, reaches_threshold, score_list
from newswatch.watchlists.text.sentences import FieldText

_NOT_MATCHED = QueryOutcome(False, ())


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A list's query on one article: matched or not, its points, the occurrences behind it."""

    matched: bool
    points: float
    evidence: tuple[Found, ...]


class ArticleMentions:
    """One article's mentions of each pattern, and node values, shared by every list's query.

    Each mention is labelled with its pattern number, not a query's term number, so that
    lists naming the same words (a desk's topic groups) share their mentions, and the
    values of their common nodes (`semantics.Shared`). Word positions are counted once
    per occurrence (`mention_at`, O(log n) each).
    """

    def __init__(
        self, found: Sequence[Found], positions: dict[int, list[int]], texts: dict[Field, FieldText]
    ) -> None:
        self._found = found
        self._positions = positions
        self._texts = texts
        self._of: dict[int, list[Mention]] = {}
        self.origin: dict[Mention, Found] = {}  # the occurrence each mention was first found at
        self.values: dict[tuple[str, Field | None], NodeValue] = {}

    def of(self, pattern: int) -> list[Mention]:
        """The pattern's mentions in text order, one per place (the first occurrence there)."""
        mentions = self._of.get(pattern)
        if mentions is None:
            mentions = self._of[pattern] = []
            for position in self._positions.get(pattern, ()):
                item = self._found[position]
                mention = mention_at(pattern, item.field, self._texts[item.field], item.start, item.end)
                if mention not in self.origin:
                    self.origin[mention] = item
                    mentions.append(mention)
        return mentions


def query_mentions(
    compiled: CompiledQuery,
    found: Sequence[Found],
    positions: dict[int, list[int]],
    texts: dict[Field, FieldText],
) -> dict[Mention, Found]:
    """Each mention of each of the query's terms (labelled by term number), with the
    occurrence it was found at: what `explain` shows node by node."""
    mentions: dict[Mention, Found] = {}
    for term in compiled.query.terms:
        for position in positions.get(compiled.patterns[term.number], ()):
            item = found[position]
            mentions.setdefault(
                mention_at(term.number, item.field, texts[item.field], item.start, item.end), item
            )
    return mentions


def score_watchlist(
    item: CompiledList,
    found: Sequence[Found],
    positions: dict[int, list[int]],
    texts: dict[Field, FieldText],
    *,
    reachable_only: bool = False,
    shared: ArticleMentions | None = None,
) -> ListOutcome | None:
    """`score_list`, plus the query's points when the list has a query.

    With `reachable_only`, None instead of an outcome that cannot reach the threshold
    (a matching query always reaches it). `shared`: the article's `ArticleMentions`,
    one for all its lists (else one is made for this list).
    """
    if item.query is None:
        return score_list(item, found, positions, texts, reachable_only=reachable_only)
    compiled = item.query
    evidence: tuple[Found, ...] = ()
    if compiled.may_match(positions):
        article = ArticleMentions(found, positions, texts) if shared is None else shared
        by_term = {term.number: article.of(compiled.patterns[term.number]) for term in compiled.query.terms}
        outcome = evaluate_terms(compiled.query, by_term, Shared(compiled.keys, article.values))
        evidence = _occurrences(outcome.evidence, compiled, article.origin)
    elif reachable_only and not item.rules and not reaches_threshold(0.0, item.watchlist):
        return None  # a desk's lists on most articles: refused by the presearcher, nothing built
    else:  # the presearcher's later passes: nothing to evaluate
        outcome = _NOT_MATCHED
    threshold = item.watchlist.threshold
    result = QueryResult(outcome.matched, threshold if outcome.matched else 0.0, evidence)
    if not item.rules:  # a query-only list (a desk's thousands): nothing else to score
        if reachable_only and not reaches_threshold(result.points, item.watchlist):
            return None
        return ListOutcome(item.watchlist, round(result.points, 3), (), result)
    rules = score_list(item, found, positions, texts, reachable_only=reachable_only and not outcome.matched)
    if rules is None:
        return None
    return ListOutcome(item.watchlist, round(rules.score + result.points, 3), rules.rules, result)


def _occurrences(
    evidence: tuple[Mention, ...], compiled: CompiledQuery, origin: dict[Mention, Found]
) -> tuple[Found, ...]:
    """The occurrences behind a query's evidence, in text order; at one place, in the order
    of the query's terms (the mentions are labelled by pattern, ordered by pattern number)."""
    if any(one[:3] == other[:3] for one, other in pairwise(evidence)):  # two terms at the same words: rare

        def query_order(one: Mention) -> tuple[int, int, int, int]:
            return FIELD_ORDER[one.field], one.first, one.last, compiled.patterns.index(one.term)

        evidence = tuple(sorted(evidence, key=query_order))
    return tuple(origin[mention] for mention in evidence)


def query_reasons(
    compiled: CompiledQuery,
    found: Sequence[Found],
    positions: dict[int, list[int]],
    texts: dict[Field, FieldText],
) -> list[tuple[NodeReason, tuple[Found, ...]]]:
    """Each node of the query with why it holds or not, and the occurrences behind that (`explain`)."""
    mentions = query_mentions(compiled, found, positions, texts)
    return [
        (node, tuple(mentions[mention] for mention in node.evidence))
        for node in reasons(compiled.query, list(mentions))
    ]
