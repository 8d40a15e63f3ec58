"""The watch-lists as the engine holds them: rules and queries as pattern numbers.

`CompiledList` also indexes every pattern by the rule groups, vetoes and exclusions
it plays a part in, so that an article's occurrences reach their rules directly. A
query's terms become pattern numbers of the same matcher (`CompiledQuery`).
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from newswatch.watchlists.rules.model import Rule, Watchlist
from newswatch.watchlists.rules.query.nodes import Query
from newswatch.watchlists.rules.query.semantics import shared_keys
from newswatch.watchlists.scoring.matcher import Found
from newswatch.watchlists.scoring.presearch import Clause, required_clauses

# The "group number" of a rule's vetoes (its groups are numbered from 0), and the
# "rule number" of the list's exclusions (its rules are numbered from 0).
VETO_GROUP = -1
EXCLUSION_RULE = -2
# The "rule number" under which the engine's screen counts a query's terms.
QUERY_RULE = -3


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with its term sets as sets of pattern numbers of the engine's matcher."""

    rule: Rule
    parts: tuple[frozenset[int], ...]
    none: frozenset[int]


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """A query with the engine's pattern number of each of its terms (by term number), and
    the clauses it requires (`presearch.required_clauses`): it cannot match an article
    unless each clause has a pattern the article mentions."""

    query: Query
    patterns: tuple[int, ...]
    clauses: tuple[Clause, ...]
    # What the query's nodes share with other queries' (`semantics.Shared`); not part of its value.
    keys: Mapping[int, str] = field(compare=False)

    @classmethod
    def build(cls, query: Query, patterns: tuple[int, ...]) -> CompiledQuery:
        return cls(query, patterns, required_clauses(query.root, patterns), _Keys(query, patterns))

    def may_match(self, mentioned: Container[int]) -> bool:
        """False when the query cannot match an article mentioning only the patterns `mentioned`."""
        # Plain loops: this runs for every list the screen lets through, most of them refused here.
        for clause in self.clauses:
            for pattern in clause:
                if pattern in mentioned:
                    break
            else:
                return False
        return True


class _Keys(Mapping[int, str]):
    """`semantics.shared_keys` of one query, found the first time the query is evaluated:
    most of a desk's queries never are, and need not hold them."""

    __slots__ = ("_keys", "_patterns", "_query")  # one per query: 100,000 on a large desk

    def __init__(self, query: Query, patterns: tuple[int, ...]) -> None:
        self._query = query
        self._patterns = patterns
        self._keys: dict[int, str] | None = None

    def _found(self) -> dict[int, str]:
        if self._keys is None:
            self._keys = shared_keys(self._query.root, self._patterns)
        return self._keys

    def __getitem__(self, node: int) -> str:
        return self._found()[node]

    def __iter__(self) -> Iterator[int]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())


@dataclass(frozen=True, slots=True, eq=False)
class CompiledList:
    """A watch-list with its rules compiled, indexed by the patterns they use.

    `roles` maps a pattern to where it plays a part: (rule number, group number) for
    the groups of a rule, (rule number, VETO_GROUP) for its vetoes, (EXCLUSION_RULE, 0) for the
    list's exclusions. An article's occurrences reach their rules through it directly.
    The query's terms have no roles: the query is evaluated as a whole.
    """

    watchlist: Watchlist
    rules: tuple[CompiledRule, ...]
    exclusions: frozenset[int]
    patterns: frozenset[int]  # every pattern this list cares about
    roles: dict[int, tuple[tuple[int, int], ...]]
    query: CompiledQuery | None = None

    @classmethod
    def build(
        cls,
        watchlist: Watchlist,
        rules: tuple[CompiledRule, ...],
        exclusions: frozenset[int],
        query: CompiledQuery | None = None,
    ) -> CompiledList:
        roles: dict[int, list[tuple[int, int]]] = {}
        for number, compiled in enumerate(rules):
            for part, patterns in [*enumerate(compiled.parts), (VETO_GROUP, compiled.none)]:
                for pattern in patterns:
                    roles.setdefault(pattern, []).append((number, part))
        for pattern in exclusions:
            roles.setdefault(pattern, []).append((EXCLUSION_RULE, 0))
        frozen = {pattern: tuple(where) for pattern, where in roles.items()}
        patterns = frozenset(frozen) | frozenset(query.patterns if query is not None else ())
        return cls(watchlist, rules, exclusions, patterns, frozen, query)


def by_pattern(found: Sequence[Found]) -> dict[int, list[int]]:
    """The positions in `found` of each pattern's occurrences, in text order."""
    positions: dict[int, list[int]] = {}
    for position, item in enumerate(found):
        positions.setdefault(item.pattern, []).append(position)
    return positions
