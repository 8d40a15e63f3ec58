"""A reload compiled on top of the engine in use: the same matches as a fresh compile, less work.

What an analyst notices: a list published among many applies (its new terms match, its
old ones stop), the others keep matching, and a change that brings no new term keeps
the automaton as it was.
"""

from __future__ import annotations

from pathlib import Path

from newswatch.watchlists import Engine, Watchlist
from newswatch.watchlists.rules.loader import read_watchlist_text

ARTICLES = [
    ("Korvalis deal", "Korvalis agreed a merger with Brantex on Monday."),
    ("Shipping", "Zeldrix said the takeover of its rival was off; Korvalis shares fell."),
    ("Weather", "Rain over the weekend."),
]


def query_list(name: str, query: str) -> Watchlist:
    return read_watchlist_text(Path(f"{name}.yaml"), f"name: {name}\nquery: '{query}'\n")


DESK = [
    query_list("korvalis", "korvalis NEAR/3 (merger* OR takeover)"),
    query_list("brantex", "brantex AND merger*"),
    query_list("zeldrix", "zeldrix NEAR/1 takeover"),
]


def outcomes(engine: Engine) -> list[list[tuple[str, float, tuple[str, ...]]]]:
    return [
        [(m.watchlist, m.score, tuple(hit.text for hit in m.hits)) for m in engine.match(title, body, "en")]
        for title, body in ARTICLES
    ]


def test_a_changed_distance_keeps_the_automaton_and_matches_as_a_fresh_compile() -> None:
    before = Engine(DESK)
    changed = [DESK[0], DESK[1], query_list("zeldrix", "zeldrix NEAR/6 takeover")]
    reloaded = Engine(changed, before)
    assert reloaded.matcher is before.matcher
    assert outcomes(reloaded) == outcomes(Engine(changed))
    assert ("zeldrix", 1.0, ("Zeldrix", "takeover")) in outcomes(reloaded)[1]
    assert not any(name == "zeldrix" for name, *_ in outcomes(before)[1])


def test_new_terms_match_removed_lists_stop_and_the_rest_match_as_before() -> None:
    before = Engine(DESK)
    changed = [DESK[0], query_list("brantex", "brantex AND (merger* OR agreed)")]
    reloaded = Engine(changed, before)
    assert reloaded.matcher is not before.matcher
    assert outcomes(reloaded) == outcomes(Engine(changed))
    assert [name for name, *_ in outcomes(reloaded)[0]] == ["brantex", "korvalis"]
    assert all(name != "zeldrix" for row in outcomes(reloaded) for name, *_ in row)
