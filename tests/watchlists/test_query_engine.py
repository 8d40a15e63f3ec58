"""Boolean query watch-lists through the whole engine: YAML in, matches and evidence out."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.watchlists import Engine, WatchlistMatch
from newswatch.watchlists.scoring.deadline import Deadline, RecordTooSlow
from tests.helpers.watchlists import terms_yaml, write

ACME = '("Acme Dynamics" OR acme*) NEAR/6 (shipment* OR deliver* OR export*) AND NOT title:parody'


def query_yaml(query: str, name: str = "query_list", extra: str = "") -> str:
    quoted = query.replace("'", "''")
    return f"name: {name}\nquery: '{quoted}'\n{extra}"


def query_engine(tmp_path: Path, query: str) -> Engine:
    return Engine.from_paths([write(tmp_path, "query_list.yaml", query_yaml(query))])


def match(tmp_path: Path, query: str, body: str, title: str = "") -> WatchlistMatch | None:
    found = query_engine(tmp_path, query).match(title, body, "en")
    assert len(found) <= 1
    return found[0] if found else None


def evidence(result: WatchlistMatch | None) -> list[str]:
    assert result is not None, "the query did not match"
    return [f"{hit.field}:{hit.text}" for hit in result.hits]


def test_the_issues_example_matches_with_its_evidence_at_the_articles_offsets(tmp_path: Path) -> None:
    body = "On Monday ACME  Dynamics confirmed the shipment of drones."
    result = match(tmp_path, ACME, body, title="Exports")
    assert result is not None and result.score == 1.0
    assert evidence(result) == ["body:ACME  Dynamics", "body:shipment"]
    hit = result.hits[0]
    assert body[hit.start : hit.end] == "ACME  Dynamics" and "confirmed" in hit.snippet


def test_the_issues_example_refuses_what_it_excludes(tmp_path: Path) -> None:
    body = "Acme Dynamics confirmed the shipment of drones."
    assert match(tmp_path, ACME, body, title="A parody of the arms trade") is None
    # "parody" in the body is not the title: still a match.
    assert match(tmp_path, ACME, body + " Critics called it a parody.", title="News") is not None
    far = "Acme Dynamics said on Monday that after many long months of talks a shipment left."
    assert match(tmp_path, ACME, far) is None  # 12 words between, NEAR/6 allows 6


@pytest.mark.parametrize(
    ("query", "body", "matched"),
    [
        ("acme AND beta", "Beta and Acme.", True),
        ("acme AND beta", "Acme alone.", False),
        ("acme beta", "Beta, later Acme.", True),  # side by side is AND
        ("acme OR beta", "Only beta.", True),
        ("acme OR beta", "Neither.", False),
        ("acme NOT beta", "Acme alone.", True),
        ("acme AND NOT beta", "Acme and beta.", False),
        ("(acme OR beta) AND (gamma OR delta)", "Beta met delta.", True),
        ("(acme OR beta) AND (gamma OR delta)", "Beta met nobody.", False),
        ("acme OR beta AND gamma", "Acme alone.", True),  # AND binds tighter than OR
        ("(acme OR beta) AND gamma", "Acme alone.", False),
        ("atleast(3, acme)", "Acme, acme and acme.", True),
        ("atleast(3, acme)", "Acme and acme.", False),
        ("atleast(2, acme OR beta) AND NOT gamma", "Acme and beta.", True),
        ("acme NEAR/2 (beta NEAR/1 gamma)", "acme x beta gamma", True),
        ("acme NEAR/2 (beta NEAR/1 gamma)", "acme x y z beta gamma", False),
    ],
)
def test_each_operator_on_an_article(tmp_path: Path, query: str, body: str, matched: bool) -> None:
    assert (match(tmp_path, query, body) is not None) is matched


def test_near_crosses_sentences_but_never_fields_and_counts_words_between(tmp_path: Path) -> None:
    assert match(tmp_path, "acme NEAR/3 shipment", "It was Acme. Shipment followed.") is not None
    assert match(tmp_path, "acme NEAR/3 shipment", "Shipment followed.", title="Acme") is None
    assert match(tmp_path, "acme NEAR/2 shipment", "acme one two shipment") is not None
    assert match(tmp_path, "acme NEAR/2 shipment", "acme one two three shipment") is None
    assert match(tmp_path, "acme NEAR/2 shipment", "shipment one two acme") is not None  # either order


def test_field_scopes_count_only_their_field(tmp_path: Path) -> None:
    assert evidence(match(tmp_path, "title:acme AND body:shipment", "A shipment.", title="Acme")) == [
        "title:Acme",
        "body:shipment",
    ]
    assert match(tmp_path, "title:acme AND body:shipment", "Acme shipment.", title="News") is None
    assert match(tmp_path, 'title:("acme dynamics" OR beta)', "Acme Dynamics", title="Beta news") is not None
    assert match(tmp_path, "body:(acme NEAR/1 beta)", "x", title="acme beta") is None


@pytest.mark.parametrize(
    ("query", "title", "body", "found"),
    [
        # Latin: stems, leading stems for compounds, phrases, accents and width folded.
        ('"wirtschafts*" OR *sanktionen', "", "Neue Wirtschaftssanktionen.", ["body:Wirtschaftssanktionen"]),
        ('"élan vital" AND export*', "", "ÉLAN  Vital exportiert", ["body:ÉLAN  Vital", "body:exportiert"]),
        ("ａｃｍｅ NEAR/1 deliver*", "", "Acme delivered", ["body:Acme", "body:delivered"]),
        # Cyrillic: a stem inside a phrase, NOT in the title.
        (
            '"поставк* оружия" AND NOT title:пародия',
            "Новости",
            "Поставками оружия занялись.",
            ["body:Поставками оружия"],
        ),
        # Arabic: vowel marks and hamza forms folded as in YAML words.
        ("عقوبات NEAR/3 إيران", "", "فرضت العُقوباتُ على ايران", None),
        ("العقوبات NEAR/3 إيران", "", "فرضت العُقوباتُ على ايران", ["body:العُقوباتُ", "body:ايران"]),
        # Chinese and Japanese: no spaces, every two characters count as one word.
        ("北朝鮮 NEAR/2 制裁", "", "北朝鮮政府は制裁に反発した。", ["body:北朝鮮", "body:制裁"]),
        ("北朝鮮 NEAR/1 反発", "", "北朝鮮政府は制裁に反発した。", None),
        (
            "title:导弹 AND 朝鲜",
            "朝鲜发射导弹",
            "朝鲜官方媒体报道。",
            ["title:朝鲜", "title:导弹", "body:朝鲜"],
        ),
        ("ミサイル* AND 発射", "", "北朝鮮がミサイルを発射した", ["body:ミサイル", "body:発射"]),
        # Korean: stems on Hangul.
        ("제재* NEAR/2 북한", "", "미국은 북한 제재를 강화했다.", ["body:북한", "body:제재를"]),
    ],
)
def test_terms_in_every_script(
    tmp_path: Path, query: str, title: str, body: str, found: list[str] | None
) -> None:
    result = match(tmp_path, query, body, title=title)
    if found is None:
        assert result is None
    else:
        assert evidence(result) == found


def test_a_query_and_rules_in_one_list_the_query_weighs_the_threshold(tmp_path: Path) -> None:
    text = terms_yaml("north korea").replace("threshold: 1.0", "threshold: 2.0")
    path = write(tmp_path, "both.yaml", text + "query: 'acme NEAR/3 shipment*'\n")
    engine = Engine.from_paths([path])
    assert engine.match("", "North Korea said so.", "en") == []  # 1.0 of 2.0
    (alone,) = engine.match("", "Acme shipments.", "en")  # the query alerts on its own
    assert alone.score == 2.0
    (both,) = engine.match("", "Acme shipments to North Korea.", "en")
    assert both.score == 3.0
    assert [hit.text for hit in both.hits] == ["Acme", "shipments", "North Korea"]


def test_query_only_list_takes_its_threshold_as_its_score(tmp_path: Path) -> None:
    path = write(tmp_path, "q.yaml", query_yaml("acme", extra="threshold: 2.5\n"))
    (result,) = Engine.from_paths([path]).match("", "Acme.", "en")
    assert result.score == 2.5


def test_lists_share_the_matcher_and_each_keeps_its_own_verdict(tmp_path: Path) -> None:
    paths = [
        write(tmp_path, "a.yaml", query_yaml("acme AND NOT beta", name="acme_not_beta")),
        write(tmp_path, "b.yaml", query_yaml("Acme AND beta", name="acme_and_beta")),
        write(tmp_path, "c.yaml", terms_yaml("acme", name="acme_rule")),
    ]
    engine = Engine.from_paths(paths)
    assert len([pattern for pattern in engine.patterns if pattern.written.lower() == "acme"]) == 1
    assert [found.watchlist for found in engine.match("", "Acme and beta.", "en")] == [
        "acme_and_beta",
        "acme_rule",
    ]
    assert [found.watchlist for found in engine.match("", "Acme alone.", "en")] == [
        "acme_not_beta",
        "acme_rule",
    ]


def test_a_term_only_under_not_never_makes_a_list_worth_scoring(tmp_path: Path) -> None:
    engine = query_engine(tmp_path, "acme AND NOT parody")
    assert engine.match("", "A parody, nothing else.", "en") == []
    assert engine.match("", "Acme.", "en") != []


def test_the_time_budget_covers_the_query(tmp_path: Path) -> None:
    engine = query_engine(tmp_path, "acme NEAR/5 shipment")
    ticks = iter([0.0, 0.0, 0.0, 0.0, 5.0])

    with pytest.raises(RecordTooSlow) as raised:
        engine.match("", "Acme shipment.", "en", deadline=Deadline(1.0, clock=lambda: next(ticks)))
    assert raised.value.stage == "evaluate query_list"


def test_thousands_of_mentions_none_near_enough(tmp_path: Path) -> None:
    engine = query_engine(tmp_path, "(acme OR acm*) NEAR/1 shipment AND atleast(3, acme)")
    body = "acme x y z. " * 20_000 + "shipment"
    assert engine.match("", body, "en") == []
    (found,) = engine.match("", body + " acme", "en")
    assert "shipment" in [hit.text for hit in found.hits]


def explain_lines(tmp_path: Path, query: str, body: str, title: str = "") -> list[str]:
    """The explain report's query lines, without their evidence lines."""
    report = query_engine(tmp_path, query).explain(title, body, "en").render()
    return [line.strip() for line in report.splitlines() if line.strip().startswith(("yes", "no ", "+"))]


def test_explain_says_which_part_failed_and_why(tmp_path: Path) -> None:
    assert explain_lines(tmp_path, "acme NEAR/3 shipment", "Shipment.", title="Acme") == [
        "+0.00  query: no match",
        "no   acme NEAR/3 shipment: both sides found, but never in the same field (title and body are apart)",
        "yes    acme: found once",
        "yes    shipment: found once",
    ]
    assert explain_lines(tmp_path, "atleast(3, acme OR beta)", "Acme and beta.") == [
        "+0.00  query: no match",
        "no   atleast(3, acme OR beta): 2 mentions, needs at least 3",
        "yes    acme OR beta: 2 mentions",
        "yes      acme: found once",
        "yes      beta: found once",
    ]
    assert explain_lines(tmp_path, "acme NOT title:parody", "Acme.", title="A parody") == [
        "+0.00  query: no match",
        "no   acme AND NOT title:parody: excluded by NOT title:parody",
        "yes    acme: found once",
        "no     NOT title:parody: found: the article is excluded",
        "yes      title:parody: 1 mention in the title",
        "yes        parody: found once in the title",
    ]
    assert explain_lines(tmp_path, '"acme dynamics" OR beta*', "Acme Dynamics.")[:3] == [
        "+1.00  query: matched",
        'yes  "acme dynamics" OR beta*: 1 mention',
        'yes    "acme dynamics": found once',
    ]


def test_explain_shows_rules_and_the_query_of_one_list(tmp_path: Path) -> None:
    path = write(tmp_path, "both.yaml", terms_yaml("north korea") + "query: acme\n")
    report = Engine.from_paths([path]).explain("", "Acme in North Korea.", "en").render()
    assert "test_list: score 2 / threshold 1: MATCH" in report
    assert "  +1.00  the terms: weight 1 x 1" in report
    assert "  +1.00  query: matched" in report


def test_lists_that_alert_on_the_same_words_each_get_the_evidence_they_get_alone(tmp_path: Path) -> None:
    # The engine cuts each occurrence's span and snippet once per article and shares it
    # between lists; a query-only list skips rule scoring. Neither may change a match.
    texts = {
        "broad": query_yaml('(inflation OR "interest rate*") AND (bank* OR economy)', name="broad"),
        "near": query_yaml("bank* NEAR/4 (inflation OR rates)", name="near"),
        "atleast": query_yaml("atleast(2, bank*) AND NOT title:parody", name="atleast"),
        "rules": terms_yaml("inflation", "central bank", name="rules"),
        "both": terms_yaml("economy", name="both") + "query: 'interest rate* AND bank*'\n",
    }
    paths = [write(tmp_path, f"{name}.yaml", text) for name, text in texts.items()]
    title = "Banks and inflation"
    body = (
        "The central bank raised interest rates as inflation rose. Banks said the economy "
        "slowed; bank lending fell and the banking economy waited for rates to ease. "
    ) * 3
    together = Engine.from_paths(paths).match(title, body, "en")
    alone = [match for path in paths for match in Engine.from_paths([path]).match(title, body, "en")]
    assert sorted(alone, key=lambda match: match.watchlist) == together
    assert len(together) == 5 and all(match.hits for match in together)


def test_lists_sharing_a_group_match_as_each_does_alone(tmp_path: Path) -> None:
    """An article evaluates a topic group once for every list that names it (the engine
    shares node values between queries): each list still gets what it gets alone."""
    queries = {
        "a_broad": "(sanction* OR embargo) AND (russia OR moscow)",
        "b_near": "(russia OR moscow) NEAR/3 (sanction* OR embargo)",
        "c_title": "title:(russia OR moscow) AND (sanction* OR embargo)",
        "d_not": "(sanction* OR embargo) AND NOT (russia OR moscow)",
    }
    title, body = "Moscow answers", "The embargo on Russia widens; new sanctions on Moscow banks followed."
    alone = {}
    for name, query in queries.items():
        folder = tmp_path / name
        folder.mkdir()
        alone[name] = Engine.from_paths([write(folder, "list.yaml", query_yaml(query, name))]).match(
            title, body, "en"
        )
    desk = tmp_path / "desk"
    desk.mkdir()
    paths = [write(desk, f"{name}.yaml", query_yaml(query, name)) for name, query in queries.items()]
    together = {match.watchlist: [match] for match in Engine.from_paths(paths).match(title, body, "en")}
    assert {name: together.get(name, []) for name in queries} == alone
    assert sorted(together) == ["a_broad", "b_near", "c_title"]


def test_two_terms_found_at_the_same_words_keep_the_querys_order(tmp_path: Path) -> None:
    """Mentions are shared between lists by pattern; at one place the evidence still lists
    the terms in the order the query names them, whatever order other lists gave them."""
    query = "korean AND korea* AND missile"
    body = "A Korean missile test."
    first = tmp_path / "first"
    first.mkdir()
    earlier = write(first, "a_other.yaml", query_yaml("korea* AND launch", "a_other"))
    with_other = Engine.from_paths([earlier, write(first, "b_list.yaml", query_yaml(query, "b_list"))])
    result = next(match for match in with_other.match("", body, "en") if match.watchlist == "b_list")
    assert [hit.term for hit in result.hits] == ["korean", "korea*", "missile"]
    alone = match(tmp_path, query, body)
    assert alone is not None and result.hits == alone.hits
