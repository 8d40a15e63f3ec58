"""The watch-list model (what the YAML files say) and the engine's results.

Terms and exclusions share one `Pattern` shape, so a richer rule language can add new
rule kinds next to `Term` without touching how patterns are compiled and matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Field = Literal["title", "body"]


@dataclass(frozen=True, slots=True)
class Pattern:
    """A plain word or phrase, as an analyst wrote it, ready for matching.

    `open_start`/`open_end` come from a leading/trailing "*": the pattern may then be
    the end/start of a longer word ("sanksi*" finds "sanksinya"). Otherwise the pattern
    must start and end on a word boundary (except in scripts written without spaces).
    """

    written: str
    phrase: str
    open_start: bool
    open_end: bool
    language: str
    line: int


@dataclass(frozen=True, slots=True)
class Term:
    """A pattern whose occurrences add `weight` to the watch-list's score."""

    pattern: Pattern
    weight: float


@dataclass(frozen=True, slots=True)
class Watchlist:
    """One analyst-maintained watch-list, as loaded from its YAML file."""

    name: str
    description: str
    version: str
    owner: str
    threshold: float
    max_repeats: int
    terms: tuple[Term, ...]
    exclusions: tuple[Pattern, ...]
    source: Path


@dataclass(frozen=True, slots=True)
class Hit:
    """One piece of evidence: where a term matched, in the article as published."""

    term: str
    field: Field
    start: int
    end: int
    text: str
    snippet: str


@dataclass(frozen=True, slots=True)
class WatchlistMatch:
    """An article matched a watch-list: its score and the evidence for it."""

    watchlist: str
    score: float
    hits: tuple[Hit, ...]
