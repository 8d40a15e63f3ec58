"""Which query lists an article can match, from the patterns it mentions: the presearcher.

After Lucene Monitor's (ex-Luwak) term-filtered presearcher. A query is reduced to
the terms it *requires*, as a conjunction of clauses (each clause: the article must
mention at least one of its patterns, or the query cannot match):

- a term requires itself; AND and NEAR require every clause of each of their parts
  (a NOT part requires nothing: it can only exclude); a field scope or `atleast`
  requires what its operand requires (the field and the count are left to evaluation);
- an OR requires, for each way of taking one clause of every operand, their union
  (the products are bounded: past MAX_CLAUSES only the lightest are kept, which is
  still sound, just less selective).

One clause per list, the "anchor" (the lightest: its patterns are used by the fewest
lists), goes into the engine's screen, so an article selects only the lists whose
anchor it mentions: a client's name, not its sector's words. The other clauses are
the later passes (Monitor's MultipassTermFilteredPresearcher): checked against the
article's patterns, a set lookup each, before a query is evaluated at all. Every
check is necessary for a match, never sufficient: evaluation still decides.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence

from newswatch.watchlists.rules.query.nodes import And, AtLeast, InField, Near, Node, Not, Or, Term

Clause = frozenset[int]  # pattern numbers: at least one of them must be mentioned
MAX_CLAUSES = 4


def required_clauses(root: Node, patterns: Sequence[int]) -> tuple[Clause, ...]:
    """The clauses the query rooted at `root` requires; `patterns` maps term numbers to patterns."""
    return tuple(sorted(set(_required(root, patterns)), key=sorted))


def _required(node: Node, patterns: Sequence[int]) -> list[Clause]:
    if isinstance(node, Term):
        return [frozenset((patterns[node.number],))]
    if isinstance(node, And):
        return [
            clause
            for operand in node.operands
            if not isinstance(operand, Not)
            for clause in _required(operand, patterns)
        ]
    if isinstance(node, Near):
        return [*_required(node.left, patterns), *_required(node.right, patterns)]
    if isinstance(node, InField | AtLeast):
        return _required(node.operand, patterns)
    if isinstance(node, Or):
        terms = [operand for operand in node.operands if isinstance(operand, Term)]
        if len(terms) == len(node.operands):
            # The common group of words ("merger* OR takeover*"): what _disjunction makes of
            # one clause per operand, their union, without building its products.
            return [frozenset([patterns[term.number] for term in terms])]
        return _disjunction([_required(operand, patterns) for operand in node.operands])
    raise AssertionError(f"NOT outside AND at column {node.column}")  # the parser refuses it


def _disjunction(operands: list[list[Clause]]) -> list[Clause]:
    """The clauses of an OR: one clause of each operand, joined, for each way of choosing."""
    # Smallest clauses first: with the products bounded, the narrowest unions are kept.
    choices = [sorted(set(clauses), key=len)[:MAX_CLAUSES] for clauses in operands]
    count = 1
    for clauses in choices:
        count *= len(clauses)
    if count > MAX_CLAUSES**2:  # one clause of each: always sound, never a blow-up
        choices = [clauses[:1] for clauses in choices]
    unions = {frozenset().union(*chosen) for chosen in itertools.product(*choices)}
    return sorted(unions, key=len)[:MAX_CLAUSES]


def choose_anchors(lists: Mapping[int, Sequence[Clause]]) -> dict[int, Clause]:
    """Each list's anchor: the clause whose patterns the fewest lists require (ties: the smallest).

    `lists` maps a list's number to the clauses its query requires. A word many queries
    share (a sector's "merger*") is a word many articles mention; a client's name is
    required by its own list alone. Lucene Monitor weighs terms the same way (a
    frequency table); an article's words are not known when the lists are compiled.
    """
    uses = Counter(pattern for clauses in lists.values() for clause in set(clauses) for pattern in clause)
    return {
        number: min(clauses, key=lambda clause: (sum(uses[pattern] for pattern in clause), sorted(clause)))
        for number, clauses in lists.items()
        if clauses
    }
