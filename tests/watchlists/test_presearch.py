"""The presearcher: the terms a query requires, and the anchor each list is screened on.

The check that matters to a user: it never hides a match. Random queries over a small
vocabulary are decided on random mention sets, and every set that matches must pass
the presearcher; and on a desk, an article naming only a sector's shared words
evaluates no client's query, while one naming the client does.
"""

from __future__ import annotations

import random
from pathlib import Path

from newswatch.watchlists import Engine
from newswatch.watchlists.rules.loader import read_watchlist_text
from newswatch.watchlists.rules.query.nodes import QueryError
from newswatch.watchlists.rules.query.parser import parse_query
from newswatch.watchlists.rules.query.semantics import Mention, evaluate
from newswatch.watchlists.scoring.compiled import CompiledQuery
from newswatch.watchlists.scoring.presearch import choose_anchors, required_clauses

WORDS = ("acme", "beta", "gamma", "delta", "ship", "deal")


def clauses(query: str) -> list[set[str]]:
    """The required clauses of `query`, as sets of its words (each word its own pattern)."""
    parsed = parse_query(query)
    written = [term.pattern.written for term in parsed.terms]
    patterns = tuple(WORDS.index(word) for word in written)
    return [{WORDS[pattern] for pattern in clause} for clause in required_clauses(parsed.root, patterns)]


def test_and_near_require_each_part_not_requires_nothing() -> None:
    assert clauses("acme AND (ship OR deal)") == [{"acme"}, {"deal", "ship"}]
    assert clauses("acme NEAR/5 ship AND NOT beta") == [{"acme"}, {"ship"}]
    assert clauses("title:acme AND atleast(2, ship)") == [{"acme"}, {"ship"}]


def test_or_requires_a_part_of_each_side() -> None:
    assert clauses("acme OR beta") == [{"acme", "beta"}]
    # (a AND s) OR (b AND d): each way of taking one clause of each side.
    assert sorted(map(sorted, clauses("(acme AND ship) OR (beta AND deal)"))) == [
        ["acme", "beta"],
        ["acme", "deal"],
        ["beta", "ship"],
        ["deal", "ship"],
    ]


def _random_query(rng: random.Random, depth: int = 0) -> str:
    if depth > 2 or rng.random() < 0.3:
        word = rng.choice(WORDS)
        return f"title:{word}" if rng.random() < 0.1 else word
    left, right = _random_query(rng, depth + 1), _random_query(rng, depth + 1)
    shape = rng.randrange(5)
    if shape == 0:
        return f"({left} OR {right})"
    if shape == 1:
        return f"({left} AND NOT {right})"
    if shape == 2:
        return f"({left} NEAR/{rng.randint(0, 3)} {right})"
    if shape == 3:
        return f"atleast(2, {rng.choice(WORDS)} OR {rng.choice(WORDS)}) AND {left}"
    return f"({left} AND {right})"


def test_a_query_that_matches_always_passes_the_presearcher() -> None:
    rng = random.Random(5)
    matched = 0
    for _ in range(3000):
        try:
            query = parse_query(_random_query(rng))
        except QueryError:  # NEAR of an AND, and the like: refused by the loader anyway
            continue
        compiled = CompiledQuery.build(
            query, tuple(WORDS.index(term.pattern.written) for term in query.terms)
        )
        mentioned = rng.sample(range(len(WORDS)), rng.randint(1, len(WORDS)))
        mentions = [
            Mention(rng.choice(("title", "body")), place, place, term.number)
            for term in query.terms
            if compiled.patterns[term.number] in mentioned
            for place in rng.sample(range(12), rng.randint(1, 3))
        ]
        if evaluate(query, mentions).matched:
            matched += 1
            assert compiled.may_match(set(mentioned)), query.text
    assert matched > 300  # the property was exercised, not vacuously true


def test_a_list_anchors_on_its_rarest_clause() -> None:
    shared = frozenset({10, 11})  # a sector's words, required by every client
    lists = {number: (frozenset({number}), shared) for number in range(5)}
    assert choose_anchors(lists) == {number: frozenset({number}) for number in range(5)}


def _desk_list(number: int, query: str) -> object:
    text = f"name: client_{number}\nquery: '{query}'\n"
    return read_watchlist_text(Path(f"client_{number}.yaml"), text)


def test_sector_words_alone_evaluate_no_client_and_the_client_still_matches() -> None:
    clients = ["korvalis", "brantex", "zeldrix", "quorvan"]
    engine = Engine(
        [
            _desk_list(n, f'("{name} Holdings" OR {name}) NEAR/6 (merger* OR takeover)')
            for n, name in enumerate(clients)
        ]
    )
    sector_only = engine._screen(engine._normalize("Merger week", "A merger and a takeover were announced."))
    assert sector_only == []
    matches = engine.match("Merger week", "Brantex confirmed the merger on Monday.")
    assert [match.watchlist for match in matches] == ["client_1"]
    assert [hit.text for hit in matches[0].hits] == ["Brantex", "merger"]
