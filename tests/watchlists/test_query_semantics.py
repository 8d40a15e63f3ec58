"""Boolean queries: what they mean, decided from their terms' mentions (field, word positions)."""

from __future__ import annotations

import time

from newswatch.watchlists.rules.model import Field
from newswatch.watchlists.rules.query.parser import parse_query
from newswatch.watchlists.rules.query.semantics import Mention, evaluate, mention_at
from newswatch.watchlists.scoring.matcher import Matcher
from newswatch.watchlists.text.normalize import normalize
from newswatch.watchlists.text.sentences import FieldText


def found(query: str, body: str, title: str = "") -> tuple[bool, list[str]]:
    """Run the query on an article through the engine's own matcher; the evidence as text."""
    parsed = parse_query(query)
    matcher = Matcher([term.pattern for term in parsed.terms])
    mentions = []
    words: dict[Mention, str] = {}
    fields: dict[Field, str] = {"title": title, "body": body}
    for field, original in fields.items():
        text = normalize(original).text
        field_text = FieldText(text)
        for one in matcher.find(text, field):
            mention = mention_at(one.pattern, field, field_text, one.start, one.end)
            mentions.append(mention)
            words[mention] = f"{field}:{text[one.start : one.end]}"
    outcome = evaluate(parsed, mentions)
    return outcome.matched, [words[mention] for mention in outcome.evidence]


def matches(query: str, body: str, title: str = "") -> bool:
    return found(query, body, title)[0]


def test_terms_phrases_and_or_not() -> None:
    assert matches("acme", "Acme ships.")
    assert not matches("acme", "Acmeco ships.")
    assert matches('"acme dynamics"', "ACME  Dynamics ships.")
    assert not matches('"acme dynamics"', "Dynamics of Acme.")
    assert matches("acme OR beta", "Beta ships.")
    assert matches("acme AND ships", "Ships from Acme.")
    assert matches("acme ships", "Ships from Acme.")  # side by side = AND, anywhere
    assert not matches("acme AND beta", "Acme ships.")
    assert matches("acme AND NOT parody", "Acme ships.")
    assert not matches("acme AND NOT parody", "Acme ships, a parody.")
    assert matches("(acme OR beta) AND NOT (parody OR satire)", "Beta ships.")
    assert not matches("(acme OR beta) AND NOT (parody OR satire)", "Beta satire.")


def test_wildcards_in_several_scripts() -> None:
    assert matches("shipment*", "Two shipments left.")
    assert not matches("shipment*", "Transhipments left.")
    assert matches("*sanktionen", "Neue Wirtschaftssanktionen.")
    assert matches('"поставк* оружия"', "Поставками оружия занялись.")
    assert not matches('"поставк* оружия"', "Поставки танков.")
    assert matches("제재* NEAR/2 북한", "미국은 북한 제재를 강화했다.")
    assert matches("北朝鮮 AND 制裁", "北朝鮮政府は制裁に反発した。")
    assert matches("ＡＣＭＥ AND ship*", "acme ships")  # folded like YAML words and articles


def test_near_counts_the_words_between_either_order() -> None:
    # NEAR/n: at most n words between, as `within: n words`.
    assert matches("acme NEAR/2 shipment", "acme one two shipment")
    assert not matches("acme NEAR/2 shipment", "acme one two three shipment")
    assert matches("acme NEAR/2 shipment", "shipment one two acme")
    assert not matches("acme NEAR/2 shipment", "shipment one two three acme")
    assert matches("acme NEAR/0 shipment", "shipment acme")
    assert not matches("acme NEAR/0 shipment", "shipment, new acme")


def test_near_in_scripts_without_spaces() -> None:
    # Two characters count as one word: 北朝鮮 | 政府 | は制 | 裁 ...
    assert matches("北朝鮮 NEAR/2 制裁", "北朝鮮政府は制裁に反発した。")
    assert not matches("北朝鮮 NEAR/1 反発", "北朝鮮政府は制裁に反発した。")


def test_near_crosses_sentences_but_never_fields() -> None:
    assert matches("acme NEAR/3 shipment", "It was Acme. Shipment followed.")
    assert not matches("acme NEAR/3 shipment", "Shipment followed.", title="Acme")
    assert matches("acme NEAR/3 shipment", "Shipment followed.", title="Acme shipment")


def test_near_of_groups_phrases_and_chains() -> None:
    query = '("Acme Dynamics" OR acme*) NEAR/6 (shipment* OR deliver* OR export*) AND NOT title:parody'
    assert found(query, "Acme Dynamics said exports rose.") == (True, ["body:acme dynamics", "body:exports"])
    assert found(query, "Acme said exports rose.") == (True, ["body:acme", "body:exports"])
    assert not matches(query, "Acme Dynamics said exports rose.", title="A parody")
    assert matches(query, "A parody: Acme Dynamics said exports rose.")  # the parody is in the body
    assert not matches(query, "Acme Dynamics said that, in the end, after all, exports rose.")
    # A phrase is measured from its last word: "dynamics" to "shipment" has one word between.
    assert matches('"acme dynamics" NEAR/1 shipment', "acme dynamics big shipment")
    assert matches("(acme NEAR/1 dynamics) NEAR/2 shipment", "acme big dynamics one two shipment")
    assert not matches("(acme NEAR/1 dynamics) NEAR/2 shipment", "acme big dynamics one two three shipment")


def test_a_mention_is_never_near_itself() -> None:
    assert not matches("acme* NEAR/5 acme*", "Acme ships.")
    assert matches("acme* NEAR/5 acme*", "Acme ships to Acmeco.")
    assert not matches('"acme dynamics" NEAR/5 acme', "Acme Dynamics ships.")


def test_field_scope() -> None:
    assert matches("title:acme", "Nothing.", title="Acme news")
    assert not matches("title:acme", "Acme news.", title="Nothing")
    assert matches("body:(acme AND ships)", "Acme ships.", title="Nothing")
    assert not matches("body:(acme AND ships)", "Acme.", title="Ships")
    assert matches("title:acme NEAR/3 ships", "Nothing.", title="Acme ships")
    assert not matches("title:acme NEAR/3 ships", "Acme ships.", title="Acme")


def test_not_title_excludes_only_by_the_title() -> None:
    assert matches("acme AND NOT title:parody", "Acme ships. A parody.", title="News")
    assert not matches("acme AND NOT title:parody", "Acme ships.", title="Parody")


def test_atleast_counts_mentions() -> None:
    assert not matches("atleast(3, acme)", "Acme. Acme.")
    assert found("atleast(3, acme)", "Acme. Acme. Acme.") == (True, ["body:acme"] * 3)
    assert matches("atleast(2, acme OR beta)", "Acme and Beta.")
    assert matches("atleast(2, title:acme)", "Nothing.", title="Acme, acme")
    assert not matches("atleast(2, title:acme)", "Acme.", title="Acme")
    # One stretch found by two terms is one mention.
    assert not matches('atleast(2, acme* OR "acme dynamics")', "Acme Dynamics.")
    assert matches("atleast(2, acme NEAR/1 ships) AND beta", "acme ships. beta. ships acme.")


def test_evidence_is_what_made_the_query_match() -> None:
    assert found("acme AND (beta OR gamma) AND NOT delta", "Gamma, acme, zeta.") == (
        True,
        ["body:gamma", "body:acme"],
    )
    assert found("acme AND beta", "Acme alone.") == (False, [])
    assert found("acme NEAR/1 ships", "Ships. Acme ships far away. acme.", title="acme") == (
        True,
        ["body:ships", "body:acme", "body:ships"],
    )


def test_near_is_not_quadratic() -> None:
    query = parse_query("acme NEAR/2 beta")
    count = 20_000  # all pairs would be 400 million comparisons
    mentions = [Mention("body", 10 * index, 10 * index, 0) for index in range(count)]
    mentions += [Mention("body", 10 * index + 5, 10 * index + 5, 1) for index in range(count)]
    started = time.perf_counter()
    assert not evaluate(query, mentions).matched
    mentions.append(Mention("body", 10 * count - 8, 10 * count - 8, 1))
    outcome = evaluate(query, mentions)
    assert outcome.matched and len(outcome.evidence) == 2
    # All pairs would take minutes in Python; the sweep takes well under a second. The
    # bound is loose so a loaded CI machine cannot fail it, and still catches all-pairs.
    assert time.perf_counter() - started < 30.0
