"""The engine's fast paths give the same answers as the plain ones.

UTF-16 scanning (halved offsets, or decoded ones beyond the BMP), merged offset-map
segments, line-start boilerplate matching, the sentence regex and the score bound
that skips lists on the matching path.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest

from newswatch.watchlists import Engine
from newswatch.watchlists.text.boilerplate import RELATED_STORY_PREFIXES, boilerplate_lines
from newswatch.watchlists.text.normalize import normalize
from newswatch.watchlists.text.script import fold
from newswatch.watchlists.text.sentences import FieldText
from tests.helpers.paths import TEST_DATA
from tests.helpers.watchlists import engine_with_terms


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_with_terms(tmp_path_factory.mktemp("lists"), "arms", "sanksi*", "поставк* оружия", "制裁")


@pytest.mark.parametrize("prefix", ["", "é ", "😀 ", "𠀀 ", "Ｎ\u200b ", "مدينة ", "😀😀 ß "])
def test_offsets_are_the_same_whatever_comes_before(engine: Engine, prefix: str) -> None:
    body = prefix + "Arms; sanksinya, Поставками оружия и 制裁。"
    (match,) = engine.match("", body, "en")
    assert [hit.text for hit in match.hits] == ["Arms", "sanksinya", "Поставками оружия", "制裁"]
    for hit in match.hits:
        assert body[hit.start : hit.end] == hit.text
        assert hit.start >= len(prefix)


@pytest.mark.parametrize("neighbour", ["x", "é", "ß", "1", "\u0301"])
def test_word_boundaries_hold_next_to_any_letter(engine: Engine, neighbour: str) -> None:
    for body in (f"{neighbour}arms", f"arms{neighbour}", f"😀{neighbour}arms😀"):
        assert engine.match("", body, "en") == []


def test_a_word_between_characters_beyond_the_bmp_is_found(engine: Engine) -> None:
    (match,) = engine.match("", "😀arms😀 𠀀制裁𠀀", "en")
    assert [(hit.start, hit.end) for hit in match.hits] == [(1, 5), (8, 10)]


def test_one_to_one_folds_keep_one_linear_segment_and_exact_offsets() -> None:
    original = "ناقش مجلس المدينة ميزانية المدارس “quoted”"
    document = normalize(original)
    assert len(document.text) == len(original)
    assert len(document.starts) == 1  # the folded letters did not split the map
    for index in range(len(original)):
        assert document.original_span(index, index + 1) == (index, index + 1)


def test_a_removed_character_still_splits_the_map() -> None:
    document = normalize("ab\u200bcd ef")
    assert document.text == "abcd ef"
    assert document.original_span(2, 4) == (3, 5)
    assert document.original_span(0, 4) == (0, 5)


def test_boilerplate_lines_are_those_the_multiline_pattern_finds() -> None:
    reference = re.compile(
        r"^[^\w\n]*(?:" + "|".join(re.escape(fold(prefix)) for prefix in RELATED_STORY_PREFIXES) + ").*$",
        re.MULTILINE,
    )
    text = fold("Body.\nBACA: other story\n\n  — Read more: x\nnot baca: here\nbaca juga\n관련기사 링크")
    assert boilerplate_lines(text) == [match.span() for match in reference.finditer(text)]
    assert len(boilerplate_lines(text)) == 4


def test_sentences_end_where_the_plain_pattern_says() -> None:
    reference = re.compile(r"[\n!?\u3002\u2026\u061f]|(?<!\b[^\W\d_])\.(?=\s)")
    text = "U.S. sanctions. J. Smith said 1. ok! a.b. c . x?y。z… done. é. Tokyo.\nnext"
    field = FieldText(text)
    starts = [0, *(match.end() for match in reference.finditer(text))]
    for offset in range(len(text)):
        assert field.sentence_of(offset) == sum(1 for start in starts if start <= offset) - 1


def test_sentences_of_random_text_are_those_of_the_plain_pattern() -> None:
    reference = re.compile(r"[\n!?\u3002\u2026\u061f]|(?<!\b[^\W\d_])\.(?=\s)")
    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice("ab1_ .\n!?\u3002\u2026\u061f\t\u00a0é") for _ in range(rng.randint(0, 40)))
        field = FieldText(text)
        starts = [0, *(match.end() for match in reference.finditer(text))]
        for offset in range(len(text)):
            number = sum(1 for start in starts if start <= offset) - 1
            assert field.sentence_of(offset) == number, text
            end = starts[number + 1] if number + 1 < len(starts) else len(text) + 1
            assert field.sentence_around(offset) == (starts[number], end), text


def test_matching_skips_no_list_that_explain_would_match() -> None:
    engine = Engine.default()
    matched = 0
    for path in sorted(TEST_DATA.glob("dev_set_part*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            article = json.loads(line)
            title, body, language = article.get("title", ""), article["body"], article.get("language")
            explained = engine.explain(title, body, language)
            expected = {(item.watchlist, item.score) for item in explained.watchlists if item.matched}
            assert {
                (match.watchlist, match.score) for match in engine.match(title, body, language)
            } == expected
            matched += len(expected)
    assert matched > 10


def test_anchor_counts_are_those_of_the_occurrences_found() -> None:
    engine = Engine.default()
    matcher = engine.matcher
    screened = 0
    for path in sorted(TEST_DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            article = json.loads(line)
            for text in (article.get("title", ""), article["body"]):
                folded = normalize(text, boilerplate_lines).text
                assert matcher.counts(folded) == Counter(item.pattern for item in matcher.find(folded))
            screened += not engine._screen(engine._normalize(article.get("title", ""), article["body"]))
    assert screened > 10  # articles no list can reach stop after the screen
