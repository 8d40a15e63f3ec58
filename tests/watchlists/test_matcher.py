"""Word boundaries, stems, and a matcher that cannot be made to hang."""

from __future__ import annotations

from pathlib import Path

from newswatch.watchlists import Engine
from newswatch.watchlists.rules.patterns import MAX_TERM_CHARS, parse_pattern
from newswatch.watchlists.scoring.matcher import Matcher
from tests.helpers.watchlists import engine_with_terms


def matched_texts(engine: Engine, body: str) -> list[str]:
    return [hit.text for match in engine.match("", body) for hit in match.hits]


def test_trailing_star_extends_to_the_end_of_the_word(tmp_path: Path) -> None:
    engine = engine_with_terms(tmp_path, "sanksi*")
    assert matched_texts(engine, "Sanksinya berat; sanksi lain; disanksi.") == ["Sanksinya", "sanksi"]


def test_leading_star_extends_to_the_start_of_the_word(tmp_path: Path) -> None:
    engine = engine_with_terms(tmp_path, "*sanktionen")
    assert matched_texts(engine, "Wirtschaftssanktionen und Sanktionen.") == [
        "Wirtschaftssanktionen",
        "Sanktionen",
    ]


def test_plain_terms_need_word_boundaries_on_both_sides(tmp_path: Path) -> None:
    engine = engine_with_terms(tmp_path, "arms", "senjata")
    body = "armstrong armed firearms persenjataan senjatanya; arms-length (senjata)"
    assert matched_texts(engine, body) == ["arms", "senjata"]


def test_longest_allowed_term_inside_a_long_run_of_the_same_letter_is_one_piece_of_evidence(
    tmp_path: Path,
) -> None:
    # How the work grows with such runs is counted in test_linear_time.py and timed by
    # bench/hostile.py; here, what the analyst sees.
    engine = engine_with_terms(tmp_path, "a" * MAX_TERM_CHARS, "*aaa*")
    body = "a" * 200_000
    (match,) = engine.match("", body, "en")
    assert len(match.hits) == 1  # the whole run is one word, and one piece of evidence
    assert (match.hits[0].start, match.hits[0].end) == (0, len(body))


def test_phrase_with_an_inner_star_allows_any_ending_on_that_word(tmp_path: Path) -> None:
    engine = engine_with_terms(tmp_path, "поставк* оружия")
    body = "Поставки оружия и поставками оружия; поставка танков; поставкиоружия."
    assert matched_texts(engine, body) == ["Поставки оружия", "поставками оружия"]


def test_weapon_word_at_the_start_of_a_german_compound_does_not_match(tmp_path: Path) -> None:
    engine = engine_with_terms(tmp_path, "waffen", "waffenlieferung*")
    body = "Der Waffenstillstand hält; Waffenlieferungen an Kiew; neue Waffen."
    assert matched_texts(engine, body) == ["Waffenlieferungen", "Waffen"]


def test_chinese_and_japanese_terms_match_inside_text_without_spaces(tmp_path: Path) -> None:
    engine = engine_with_terms(tmp_path, "制裁", "北朝鮮", "朝鲜")
    assert matched_texts(engine, "国連安保理は北朝鮮に対する追加制裁を決めた。") == ["北朝鮮", "制裁"]
    assert matched_texts(engine, "美国宣布对朝鲜实施新制裁") == ["朝鲜", "制裁"]


def test_a_term_holding_a_nul_character_is_found_whole() -> None:
    # A YAML "\0" escape can put one there; Hyperscan's literal compiler, through its Python
    # binding, would read "ab\0cd" as "ab".
    matcher = Matcher([parse_pattern("ab\x00cd", "en", 1), parse_pattern("acme", "en", 2)])
    found = matcher.find("ab ab\x00cd acme")
    assert [(item.pattern, item.start, item.end) for item in found] == [(0, 3, 8), (1, 9, 13)]
