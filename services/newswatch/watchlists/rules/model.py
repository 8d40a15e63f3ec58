"""The watch-list model (what the YAML files say) and the engine's results.

A watch-list is a set of scored rules. Each rule looks for words (term sets, per
language), alone (`any`) or together (`all`, within a sentence or N words), and adds
its weight per mention; the article alerts when the sum reaches the threshold. A list
may also (or instead) hold a Boolean `query`, which counts as one more rule whose
weight is the threshold: it alerts on its own when it matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the query's nodes hold Patterns: the import would go both ways
    from newswatch.watchlists.rules.query.nodes import Query

Field = Literal["title", "body"]
FIELDS: tuple[Field, ...] = ("title", "body")  # in the order an article is read
FIELD_ORDER: dict[Field, int] = {field: number for number, field in enumerate(FIELDS)}
FieldScope = Literal["title", "body", "any"]
ScopeKind = Literal["sentence", "words", "article"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of words matched as one literal; a "*" side may extend into more letters."""

    literal: str
    open_start: bool
    open_end: bool


@dataclass(frozen=True, slots=True)
class Pattern:
    """A word or phrase as an analyst wrote it, ready for matching.

    Most patterns are one segment. A "*" inside a phrase ("поставк* оружия") splits it
    into segments that must follow each other with one space between them. Outside
    scripts written without spaces, a pattern starts and ends on a word boundary
    unless that side has a "*".
    """

    written: str
    language: str
    line: int
    segments: tuple[Segment, ...]

    @property
    def key(self) -> tuple[Segment, ...]:
        """Two patterns with the same key find exactly the same text."""
        return self.segments


@dataclass(frozen=True, slots=True)
class TermSet:
    """Words of any of several languages; one of them occurring is a mention."""

    patterns: tuple[Pattern, ...]
    label: str  # a word-list name, or "inline" terms written in the rule

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(pattern.language for pattern in self.patterns)


@dataclass(frozen=True, slots=True)
class Scope:
    """How close the parts of an `all` rule (or a `none` veto) must be to each other."""

    kind: ScopeKind
    words: int = 0


@dataclass(frozen=True, slots=True)
class Rule:
    """One scored rule. `parts` has one term set for `any`, two or more for `all`."""

    name: str
    weight: float
    parts: tuple[TermSet, ...]
    within: Scope
    none: TermSet | None
    min_mentions: int
    max_repeats: int
    field: FieldScope
    line: int

    @property
    def kind(self) -> Literal["any", "all"]:
        return "all" if len(self.parts) > 1 else "any"


@dataclass(frozen=True, slots=True)
class Watchlist:
    """One analyst-maintained watch-list, as loaded from its YAML file."""

    name: str
    description: str
    version: str
    owner: str
    threshold: float
    rules: tuple[Rule, ...]
    exclusions: TermSet | None
    source: Path
    query: Query | None = None

    @property
    def languages(self) -> frozenset[str]:
        found: set[str] = set()
        for rule in self.rules:
            for part in rule.parts:
                found |= part.languages
        return frozenset(found)


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
    """An article matched a watch-list: its score and the evidence for it.

    `language` is the article's language as given, or as detected when none was given
    (None when detection was unsure).
    """

    watchlist: str
    score: float
    hits: tuple[Hit, ...]
    language: str | None = None
