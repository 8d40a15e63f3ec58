"""The evidence of a match: which occurrences an alert shows, as spans of the original text.

Pure functions over one article as the engine read it (`ReadArticle`): its normalised
fields, their sentence and word helpers, and every occurrence found. Spans and snippets
are cut lazily and remembered on the article, so lists that alert on the same words (a
desk's broad topics) share them instead of cutting them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from newswatch.watchlists.rules.model import FIELD_ORDER, Field, Hit, Pattern
from newswatch.watchlists.scoring.matcher import Found
from newswatch.watchlists.text.normalize import NormalizedText
from newswatch.watchlists.text.sentences import FieldText, snippet

MAX_HITS = 10  # the evidence an alert carries

Span = tuple[str, Field, int, int, str]  # (term as written, field, start, end, original text)


@dataclass(frozen=True, slots=True)
class ReadArticle:
    """One article as the engine read it: normalised fields, their text helpers, the occurrences."""

    documents: dict[Field, NormalizedText]
    texts: dict[Field, FieldText]
    found: tuple[Found, ...]
    # Filled as evidence is cut (see the module's docstring).
    spans: dict[Found, Span] = field(default_factory=dict)
    hits: dict[Span, Hit] = field(default_factory=dict)
    # The evidence chosen from the same occurrences: a desk's broad lists often alert on
    # exactly the same words of an article (about half of them on the 10,000-list desk).
    chosen: dict[tuple[tuple[Found, ...], int], tuple[Hit, ...]] = field(default_factory=dict)


def evidence(
    found: Sequence[Found], article: ReadArticle, patterns: Sequence[Pattern], limit: int
) -> tuple[Hit, ...]:
    """Up to `limit` hits of the occurrences that scored: each distinct text once first, in text order."""
    key = (tuple(found), limit)
    chosen = article.chosen.get(key)
    if chosen is None:
        chosen = article.chosen[key] = _chosen(found, article, patterns, limit)
    return chosen


def _chosen(
    found: Sequence[Found], article: ReadArticle, patterns: Sequence[Pattern], limit: int
) -> tuple[Hit, ...]:
    # Chosen on (term, field, start, end, text), which decides a hit (its snippet
    # follows from field, start and end): snippets are cut only for the chosen few.
    spans = _spans(found, article, patterns)
    seen: set[str] = set()
    first: list[Span] = []
    repeats: list[Span] = []
    for span in spans:
        key = span[4].casefold()
        (repeats if key in seen else first).append(span)
        seen.add(key)
    chosen = set((first + repeats)[:limit])
    return tuple(_hit(span, article) for span in spans if span in chosen)


def hits(found: Sequence[Found], article: ReadArticle, patterns: Sequence[Pattern]) -> tuple[Hit, ...]:
    """Every occurrence in `found` as a hit, in text order (what `explain` shows)."""
    return tuple(_hit(span, article) for span in _spans(found, article, patterns))


def _hit(span: Span, article: ReadArticle) -> Hit:
    hit = article.hits.get(span)
    if hit is None:
        term, field, start, end, text = span
        cut = snippet(article.documents[field].original, start, end)
        hit = article.hits[span] = Hit(term, field, start, end, text, cut)
    return hit


def _spans(found: Sequence[Found], article: ReadArticle, patterns: Sequence[Pattern]) -> list[Span]:
    """(term, field, start, end, text) of each hit, the span in the original text."""
    # Unique in first-seen order: one span found by two terms comes out in the same
    # order on every run (a set's order changed with the string hash seed).
    unique = sorted(dict.fromkeys(found), key=lambda item: (FIELD_ORDER[item.field], item.start, -item.end))
    spans = []
    documents = article.documents
    known = article.spans
    for item in unique:
        span = known.get(item)
        if span is None:
            document = documents[item.field]
            start, end = document.original_span(item.start, item.end)
            original = document.original[start:end]
            span = known[item] = (patterns[item.pattern].written, item.field, start, end, original)
        spans.append(span)
    return spans
