"""Word boundaries, stems, and a matcher that cannot be made to hang."""

from __future__ import annotations

from pathlib import Path

from newswatch.watchlists import Engine

WATCHLIST = """\
name: test_list
description: A list written for this test.
version: "1"
owner: tests
threshold: 1.0
terms:
  en:
    - weight: 1.0
      words:
{words}
"""


def engine_with_terms(tmp_path: Path, *terms: str) -> Engine:
    words = "\n".join(f"        - {term!r}" for term in terms)
    path = tmp_path / "test_list.yaml"
    path.write_text(WATCHLIST.format(words=words), encoding="utf-8")
    return Engine.from_paths([path])


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


def test_pathological_term_against_a_megabyte_of_the_same_letter_returns(
    tmp_path: Path,
) -> None:
    engine = engine_with_terms(tmp_path, "a" * 10_000, "*aaa*")
    body = "a" * 1_000_000
    (match,) = engine.match("", body)
    assert len(match.hits) == 1  # the whole run is one word, and one piece of evidence
