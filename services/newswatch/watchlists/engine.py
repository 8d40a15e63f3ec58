"""The watch-list engine: article text in, scored matches with evidence out.

Everything expensive (reading YAML, building the automaton) happens once in
`Engine.from_paths`; `match` is pure and does no I/O, so one engine can serve every
article of a long-running worker.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from newswatch.watchlists.boilerplate import is_boilerplate
from newswatch.watchlists.loader import default_watchlist_paths, load_watchlists
from newswatch.watchlists.matcher import Matcher
from newswatch.watchlists.model import Field, Hit, Pattern, Term, Watchlist, WatchlistMatch
from newswatch.watchlists.normalize import normalize
from newswatch.watchlists.text import Sentences, snippet

MAX_HITS = 10
# Sums of float weights (0.3 + 0.3 + 0.4) must not miss a threshold by rounding.
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class _Rule:
    """What a compiled pattern is for: a scoring term of a list, or (term None) an exclusion."""

    watchlist: int
    term: Term | None


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A term occurrence in normalised text, before exclusions and overlaps are settled."""

    term: Term
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Found:
    """A counted term occurrence, before it becomes evidence."""

    term: Term
    hit: Hit


class Engine:
    """Scores articles against a fixed set of watch-lists, compiled once."""

    def __init__(self, watchlists: Sequence[Watchlist]) -> None:
        self._watchlists = tuple(sorted(watchlists, key=lambda watchlist: watchlist.name))
        entries: list[tuple[Pattern, _Rule]] = []
        for index, watchlist in enumerate(self._watchlists):
            entries.extend((term.pattern, _Rule(index, term)) for term in watchlist.terms)
            entries.extend((pattern, _Rule(index, None)) for pattern in watchlist.exclusions)
        self._matcher: Matcher[_Rule] = Matcher(entries)

    @classmethod
    def from_paths(cls, paths: Sequence[Path]) -> Engine:
        """Load, validate and compile the watch-lists in `paths` (WatchlistError if invalid)."""
        return cls(load_watchlists(paths))

    @classmethod
    def default(cls) -> Engine:
        """The engine for the watch-lists shipped with newswatch."""
        return cls.from_paths(default_watchlist_paths())

    @property
    def watchlist_names(self) -> tuple[str, ...]:
        return tuple(watchlist.name for watchlist in self._watchlists)

    def match(self, title: str, body: str, language: str | None = None) -> list[WatchlistMatch]:
        """The watch-lists this article matches, sorted by name, each with its evidence.

        `language` is only a hint and does not restrict the terms: articles quote other
        languages and feeds mislabel them, and every list's terms are cheap to run.
        """
        found: dict[int, list[_Found]] = {}
        fields: tuple[tuple[Field, str], ...] = (("title", title), ("body", body))
        for field, text in fields:
            for index, occurrences in self._field_matches(field, text).items():
                found.setdefault(index, []).extend(occurrences)
        matches = []
        for index, occurrences in sorted(found.items()):
            match = self._score(self._watchlists[index], occurrences)
            if match is not None:
                matches.append(match)
        return matches

    def _field_matches(self, field: Field, original: str) -> dict[int, list[_Found]]:
        """Per watch-list, the term occurrences in one field that survive exclusions."""
        document = normalize(original, is_boilerplate)
        sentences = Sentences(document.text)
        vetoed: set[tuple[int, int]] = set()
        candidates: list[tuple[tuple[int, int], _Candidate]] = []
        for occurrence in self._matcher.find(document.text):
            rule = occurrence.payload
            place = (rule.watchlist, sentences.index_of(occurrence.start))
            if rule.term is None:
                vetoed.add(place)
            else:
                candidates.append((place, _Candidate(rule.term, occurrence.start, occurrence.end)))
        by_watchlist: dict[int, list[_Candidate]] = {}
        for place, candidate in candidates:
            if place not in vetoed:
                by_watchlist.setdefault(place[0], []).append(candidate)
        result: dict[int, list[_Found]] = {}
        for index, found in by_watchlist.items():
            result[index] = []
            for candidate in _one_per_stretch(found):
                start, end = document.original_span(candidate.start, candidate.end)
                hit = Hit(
                    term=candidate.term.pattern.written,
                    field=field,
                    start=start,
                    end=end,
                    text=original[start:end],
                    snippet=snippet(original, start, end),
                )
                result[index].append(_Found(candidate.term, hit))
        return result

    @staticmethod
    def _score(watchlist: Watchlist, occurrences: list[_Found]) -> WatchlistMatch | None:
        """Sum the weights, counting each term at most `max_repeats` times."""
        counts: Counter[Term] = Counter()
        score = 0.0
        hits: list[Hit] = []
        for found in occurrences:
            counts[found.term] += 1
            if counts[found.term] <= watchlist.max_repeats:
                score += found.term.weight
                hits.append(found.hit)
        if score + _EPSILON < watchlist.threshold:
            return None
        return WatchlistMatch(watchlist.name, round(score, 3), tuple(hits[:MAX_HITS]))


def _one_per_stretch(candidates: list[_Candidate]) -> list[_Candidate]:
    """Candidates in text order, dropping any that overlaps one already kept.

    Each stretch of text is one piece of evidence and counts once: "sanksi PBB" and
    "sanksi" at the same place are the same mention, and the leftmost, longest (most
    specific, then heaviest) term is the one that says why it matched.
    """
    ordered = sorted(candidates, key=lambda item: (item.start, -item.end, -item.term.weight))
    kept: list[_Candidate] = []
    free_from = 0
    for candidate in ordered:
        if candidate.start >= free_from:
            kept.append(candidate)
            free_from = candidate.end
    return kept
