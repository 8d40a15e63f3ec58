"""Hostile articles: bodies built to make the watch-list engine work as hard as possible.

Pure and importable (used by `bench/hostile.py` and usable from tests): every function
returns article dicts `{"id", "title", "body"}` whose body is about `size` bytes of
UTF-8. The terms come from the watch-lists themselves (`Engine.default().watchlists`),
so a new term is covered without editing this file:

- every term, spaced and glued together (no spaces, so leading and trailing "*" stems
  walk the longest words);
- a "salad" of every term in a seeded random order, with and without sentence breaks
  (one endless sentence puts every candidate of every `all` rule in reach);
- pairs from the `all` rules (a term of each group) repeated: the quadratic case of a
  nearest-candidate scan;
- the terms of each script (Latin, Cyrillic, Arabic, Han, Kana, Hangul ...), spaced and glued.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from newswatch.watchlists.rules.model import Pattern, Rule, TermSet, Watchlist

Article = dict[str, str]
SEED = 9
SENTENCE_EVERY = 8  # terms per sentence in the salad with sentence breaks


def term_text(pattern: Pattern) -> str:
    """The pattern as plain text ("*waffen" gives "waffen", "поставк* оружия" "поставк оружия")."""
    return " ".join(segment.literal for segment in pattern.segments)


def _term_sets(watchlist: Watchlist) -> Iterator[TermSet]:
    for rule in watchlist.rules:
        yield from rule.parts
        if rule.none is not None:
            yield rule.none
    if watchlist.exclusions is not None:
        yield watchlist.exclusions


def packaged_terms(watchlists: Iterable[Watchlist]) -> list[str]:
    """Every term of every list (groups, vetoes, exclusions) once, sorted."""
    return sorted(
        {
            term_text(pattern)
            for item in watchlists
            for terms in _term_sets(item)
            for pattern in terms.patterns
        }
    )


def rule_pairs(watchlists: Iterable[Watchlist]) -> list[tuple[str, ...]]:
    """For each `all` rule and each language all its groups share: its first term of each group."""
    pairs: dict[tuple[str, ...], None] = {}
    for item in watchlists:
        for rule in item.rules:
            for language in sorted(_shared_languages(rule)):
                pairs[tuple(_first_term(part, language) for part in rule.parts)] = None
    return list(pairs)


def _shared_languages(rule: Rule) -> frozenset[str]:
    if rule.kind != "all":
        return frozenset()
    return frozenset.intersection(*(part.languages for part in rule.parts))


def _first_term(part: TermSet, language: str) -> str:
    return next(term_text(pattern) for pattern in part.patterns if pattern.language == language)


def script_of(term: str) -> str:
    """The script of a term's first letter, from its Unicode name (LATIN, CYRILLIC, HANGUL ...)."""
    for char in term:
        if char.isalpha():
            name = unicodedata.name(char, "UNKNOWN")
            if name.startswith(("HIRAGANA", "KATAKANA")):
                return "KANA"
            if name.startswith("CJK"):
                return "HAN"
            return name.split()[0]
    return "OTHER"


def by_script(terms: Iterable[str]) -> dict[str, list[str]]:
    """The terms grouped by script, scripts sorted by name."""
    grouped: dict[str, list[str]] = {}
    for term in terms:
        grouped.setdefault(script_of(term), []).append(term)
    return dict(sorted(grouped.items()))


def repeated(unit: str, size: int, article_id: str) -> Article:
    """An article whose body is `unit` repeated to `size` bytes (cut on a character)."""
    width = max(len(unit.encode()), 1)
    body = (unit * (size // width + 1)).encode()[:size].decode(errors="ignore")
    return {"id": article_id, "title": "hostile", "body": body}


def spaced(terms: Sequence[str], size: int, article_id: str) -> Article:
    return repeated(" ".join(terms) + " ", size, article_id)


def glued(terms: Sequence[str], size: int, article_id: str) -> Article:
    return repeated("".join(terms), size, article_id)


def salad(terms: Sequence[str], size: int, article_id: str, *, sentences: bool) -> Article:
    """Every term in a seeded random order; with `sentences`, a full stop every few terms."""
    shuffled = list(terms)
    random.Random(SEED).shuffle(shuffled)
    if not sentences:
        return spaced(shuffled, size, article_id)
    chunks = [shuffled[at : at + SENTENCE_EVERY] for at in range(0, len(shuffled), SENTENCE_EVERY)]
    return repeated("".join(" ".join(chunk) + ". " for chunk in chunks), size, article_id)


def beyond_the_plane(terms: Sequence[str], size: int, article_id: str) -> Article:
    """Every character a different one beyond the first Unicode plane (CJK extensions and
    unassigned), with a term every 100 of them: the word positions between terms that far
    apart are counted from the whole field, whose characters are classed one by one."""
    pieces: list[str] = []
    length = code = 0
    while length < size:
        piece = terms[code // 100 % len(terms)] + " " if code % 100 == 0 else chr(0x20000 + code) + " "
        pieces.append(piece)
        length += len(piece.encode())
        code += 1
    body = "".join(pieces).encode()[:size].decode(errors="ignore")
    return {"id": article_id, "title": "hostile", "body": body}


def hostile_cases(watchlists: Sequence[Watchlist]) -> dict[str, list[str] | tuple[str, ...]]:
    """Named term lists, one per case of `build`."""
    terms = packaged_terms(watchlists)
    cases: dict[str, list[str] | tuple[str, ...]] = {"all terms": terms}
    pairs = rule_pairs(watchlists)
    cases["all-rule pairs"] = [term for pair in pairs for term in pair]
    for script, members in by_script(terms).items():
        cases[script.lower()] = members
    return cases


def hostile_articles(watchlists: Sequence[Watchlist], size: int) -> dict[str, Article]:
    """Every hostile case at `size` bytes, by case name."""
    terms = packaged_terms(watchlists)
    articles = {
        "issue: 'weapons supply ' repeated": repeated("weapons supply ", size, "weapons-supply"),
        "issue: 'waffen' glued": repeated("waffen", size, "waffen-glued"),
        "salad, one sentence": salad(terms, size, "salad", sentences=False),
        "salad, sentences": salad(terms, size, "salad-sentences", sentences=True),
        "distinct characters beyond the first plane": beyond_the_plane(terms, size, "beyond-the-plane"),
    }
    for name, members in hostile_cases(watchlists).items():
        slug = name.replace(" ", "-")
        articles[f"{name}, spaced"] = spaced(members, size, f"{slug}-spaced")
        articles[f"{name}, glued"] = glued(members, size, f"{slug}-glued")
    return articles


def each_term(watchlists: Sequence[Watchlist], size: int) -> Iterator[tuple[str, Article]]:
    """(what, article) for every term alone repeated, spaced and glued, then every rule pair."""
    for term in packaged_terms(watchlists):
        yield f"term {term!r} spaced", spaced([term], size, "term")
        yield f"term {term!r} glued", glued([term], size, "term")
    for pair in rule_pairs(watchlists):
        yield f"pair {pair!r} spaced", spaced(pair, size, "pair")
