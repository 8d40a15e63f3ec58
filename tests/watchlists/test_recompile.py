"""A reload compiled on top of the engine in use: the same matches as a fresh compile, less work.

What an analyst notices: a list published among many applies (its new terms match, its
old ones stop), the others keep matching, and a change that brings no new term keeps
the automaton as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.watchlists import Engine, Watchlist
from newswatch.watchlists.rules.loader import read_watchlist_text
from newswatch.watchlists.scoring import matcher

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


# Terms that share literals, stems and chained phrases with the desk's, and new ones.
PUBLISHED = [
    query_list("brantex", 'brantex AND (merger* OR agreed OR "merger talks")'),
    query_list("rivals", '(*rival OR rivals OR "its rival") AND (takeover OR shares)'),
    query_list("pengiriman", "pengiriman* OR senjata* OR 武器"),
]
MORE_ARTICLES = [
    ("Merger talks", "Brantex agreed: merger talks with its rivals and an arch-rival begin; shares rose."),
    ("Pengiriman senjata", "Pengirimannya senjata-senjata itu dan 武器輸出 ditunda; Korvalis merger off."),
]


def matched(engine: Engine) -> list[list[tuple[str, float, tuple[tuple[str, int, int], ...]]]]:
    return [
        [
            (m.watchlist, m.score, tuple(sorted((hit.text, hit.start, hit.end) for hit in m.hits)))
            for m in engine.match(title, body, "en")
        ]
        for title, body in ARTICLES + MORE_ARTICLES
    ]


def test_a_new_term_compiles_only_itself_and_matches_as_a_fresh_compile() -> None:
    engine = Engine(DESK)
    for published in PUBLISHED:  # one list at a time, as a desk publishes them
        lists = [*[item for item in engine.watchlists if item.name != published.name], published]
        reloaded = Engine(lists, engine)
        assert reloaded.matcher is not engine.matcher and reloaded.matcher.added_literals > 0
        assert matched(reloaded) == matched(Engine(lists))
        engine = reloaded
    assert engine.matcher.added_literals == len(
        {"agreed", "merger talks", "rival", "rivals", "its rival", "shares", "pengiriman", "senjata", "武器"}
    )
    assert [name for name, *_ in matched(engine)[3]] == ["brantex", "rivals"]


def test_past_the_limit_of_added_terms_a_reload_compiles_everything_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matcher, "MAX_ADDED_LITERALS", 4)
    first = Engine([*DESK, PUBLISHED[0]], Engine(DESK))  # agreed, merger talks
    assert first.matcher.added_literals == 2
    second = Engine([*DESK, *PUBLISHED[:2]], first)  # and five more: past four
    assert second.matcher.added_literals == 0
    assert matched(second) == matched(Engine([*DESK, *PUBLISHED[:2]]))
