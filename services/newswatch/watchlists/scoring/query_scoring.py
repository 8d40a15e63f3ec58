"""Scoring a watch-list that holds a Boolean query, from the occurrences the matcher found.

The query's terms are patterns of the engine's one matcher, found in the same single
pass as the rules' words. Here their occurrences become word positions (`mention_at`,
O(log n) each), `semantics.evaluate` decides the query (O(m log m) for m mentions),
and the mentions it names as evidence go back to the occurrences they came from, so
the hits are cut exactly as a rule's are. A query that matches adds the list's
threshold to the rules' score: it alerts on its own, and rules keep scoring as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newswatch.watchlists.rules.model import Field
from newswatch.watchlists.rules.query.reasons import NodeReason, reasons
from newswatch.watchlists.rules.query.semantics import Mention, QueryOutcome, evaluate, mention_at
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


def query_mentions(
    compiled: CompiledQuery,
    found: Sequence[Found],
    positions: dict[int, list[int]],
    texts: dict[Field, FieldText],
    words: dict[int, Mention] | None = None,
) -> dict[Mention, Found]:
    """Each mention of each of the query's terms, with the occurrence it was found at.

    `words` keeps each occurrence's word positions for the article (by position in
    `found`): lists that share a word count its place once, not once per list.
    """
    known = {} if words is None else words
    mentions: dict[Mention, Found] = {}
    for term in compiled.query.terms:
        for position in positions.get(compiled.patterns[term.number], ()):
            item = found[position]
            place = known.get(position)
            if place is None:
                place = known[position] = mention_at(-1, item.field, texts[item.field], item.start, item.end)
            mentions.setdefault(Mention(item.field, place.first, place.last, term.number), item)
    return mentions


def score_watchlist(
    item: CompiledList,
    found: Sequence[Found],
    positions: dict[int, list[int]],
    texts: dict[Field, FieldText],
    *,
    reachable_only: bool = False,
    words: dict[int, Mention] | None = None,
) -> ListOutcome | None:
    """`score_list`, plus the query's points when the list has a query.

    With `reachable_only`, None instead of an outcome that cannot reach the threshold
    (a matching query always reaches it). `words`: as for `query_mentions`, one per article.
    """
    if item.query is None:
        return score_list(item, found, positions, texts, reachable_only=reachable_only)
    mentions: dict[Mention, Found] = {}
    if item.query.may_match(positions):
        mentions = query_mentions(item.query, found, positions, texts, words)
        outcome = evaluate(item.query.query, mentions)
    elif reachable_only and not item.rules and not reaches_threshold(0.0, item.watchlist):
        return None  # a desk's lists on most articles: refused by the presearcher, nothing built
    else:  # the presearcher's later passes: nothing to evaluate
        outcome = _NOT_MATCHED
    threshold = item.watchlist.threshold
    result = QueryResult(
        outcome.matched,
        threshold if outcome.matched else 0.0,
        tuple(mentions[mention] for mention in outcome.evidence),
    )
    if not item.rules:  # a query-only list (a desk's thousands): nothing else to score
        if reachable_only and not reaches_threshold(result.points, item.watchlist):
            return None
        return ListOutcome(item.watchlist, round(result.points, 3), (), result)
    rules = score_list(item, found, positions, texts, reachable_only=reachable_only and not outcome.matched)
    if rules is None:
        return None
    return ListOutcome(item.watchlist, round(rules.score + result.points, 3), rules.rules, result)


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
