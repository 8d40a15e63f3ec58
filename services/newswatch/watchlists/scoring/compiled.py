"""The watch-lists as the engine holds them: rules as sets of pattern numbers.

`CompiledList` also indexes every pattern by the rule groups, vetoes and exclusions
it plays a part in, so that an article's occurrences reach their rules directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newswatch.watchlists.rules.model import Rule, Watchlist
from newswatch.watchlists.scoring.matcher import Found

# The "group number" of a rule's vetoes (its groups are numbered from 0), and the
# "rule number" of the list's exclusions (its rules are numbered from 0).
VETO_GROUP = -1
EXCLUSION_RULE = -2


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with its term sets as sets of pattern numbers of the engine's matcher."""

    rule: Rule
    parts: tuple[frozenset[int], ...]
    none: frozenset[int]


@dataclass(frozen=True, slots=True, eq=False)
class CompiledList:
    """A watch-list with its rules compiled, indexed by the patterns they use.

    `roles` maps a pattern to where it plays a part: (rule number, group number) for
    the groups of a rule, (rule number, VETO_GROUP) for its vetoes, (EXCLUSION_RULE, 0) for the
    list's exclusions. An article's occurrences reach their rules through it directly.
    """

    watchlist: Watchlist
    rules: tuple[CompiledRule, ...]
    exclusions: frozenset[int]
    patterns: frozenset[int]  # every pattern this list cares about
    roles: dict[int, tuple[tuple[int, int], ...]]

    @classmethod
    def build(
        cls, watchlist: Watchlist, rules: tuple[CompiledRule, ...], exclusions: frozenset[int]
    ) -> CompiledList:
        roles: dict[int, list[tuple[int, int]]] = {}
        for number, compiled in enumerate(rules):
            for part, patterns in [*enumerate(compiled.parts), (VETO_GROUP, compiled.none)]:
                for pattern in patterns:
                    roles.setdefault(pattern, []).append((number, part))
        for pattern in exclusions:
            roles.setdefault(pattern, []).append((EXCLUSION_RULE, 0))
        frozen = {pattern: tuple(where) for pattern, where in roles.items()}
        return cls(watchlist, rules, exclusions, frozenset(frozen), frozen)


def by_pattern(found: Sequence[Found]) -> dict[int, list[int]]:
    """The positions in `found` of each pattern's occurrences, in text order."""
    positions: dict[int, list[int]] = {}
    for position, item in enumerate(found):
        positions.setdefault(item.pattern, []).append(position)
    return positions
