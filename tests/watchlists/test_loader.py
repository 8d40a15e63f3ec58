"""Mistakes in a watch-list file are reported with the file, the line and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.errors import WatchlistError
from newswatch.watchlists import default_watchlist_paths, load_watchlists

VALID = """\
name: {name}
description: A list written for this test.
version: "1"
owner: tests
threshold: 1.0
terms:
  en:
    - weight: 1.0
      words:
        - north korea
exclude:
  en:
    - coat of arms
"""


def write(tmp_path: Path, filename: str, text: str) -> Path:
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    return path


def load_error(*paths: Path) -> WatchlistError:
    with pytest.raises(WatchlistError) as caught:
        load_watchlists(list(paths))
    return caught.value


def test_packaged_watchlists_load_with_their_metadata() -> None:
    watchlists = load_watchlists(default_watchlist_paths())
    assert sorted(watchlist.name for watchlist in watchlists) == [
        "arms_transfers",
        "korean_peninsula",
        "sanctions",
    ]
    for watchlist in watchlists:
        assert watchlist.description and watchlist.owner and watchlist.version
        assert {term.pattern.language for term in watchlist.terms} >= {"en", "id", "ko"}


def test_unknown_key_names_the_key_its_line_and_the_allowed_ones(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("threshold: 1.0", "treshold: 1.0")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert (error.path.name, error.line) == ("one.yaml", 5)
    assert "unknown setting 'treshold'" in error.reason and "threshold" in error.reason


def test_empty_term_list_is_refused_at_its_line(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("        - north korea\n", "").replace("words:", "words: []")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line == 9
    assert "'words' must be a list with at least one" in error.reason


def test_language_without_terms_is_refused(tmp_path: Path) -> None:
    text = VALID.format(name="one").split("    - weight")[0].replace("  en:\n", "  en: []\n")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line == 7 and "the 'en' terms are empty" in error.reason


def test_duplicate_watchlist_name_points_at_the_second_file(tmp_path: Path) -> None:
    first = write(tmp_path, "first.yaml", VALID.format(name="same"))
    second = write(tmp_path, "second.yaml", VALID.format(name="same"))
    error = load_error(first, second)
    assert (error.path, error.line) == (second, 1)
    assert "already used by" in error.reason and "first.yaml" in error.reason


def test_threshold_that_is_not_a_number_is_explained(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("threshold: 1.0", "threshold: high")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line == 5
    assert error.reason == "'threshold' must be a number such as 1.0, not 'high'"
    assert str(error).endswith("one.yaml:5: 'threshold' must be a number such as 1.0, not 'high'")


@pytest.mark.parametrize(
    ("term", "reason"),
    [
        ("sank*si", "a '*' may only stand at the start or end"),
        ("ab*", "too short"),
        ("'...'", "no letters or digits"),
    ],
)
def test_bad_terms_are_refused_with_a_reason(tmp_path: Path, term: str, reason: str) -> None:
    text = VALID.format(name="one").replace("- north korea", f"- {term}")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line == 10 and reason in error.reason


def test_term_listed_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("- north korea", "- North Korea\n        - north korea")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line == 11 and "listed twice (also on line 10)" in error.reason


def test_broken_yaml_reports_the_line(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("owner: tests", "owner: [tests")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line is not None and "not valid YAML" in error.reason


def test_missing_file_is_reported_without_a_line(tmp_path: Path) -> None:
    error = load_error(tmp_path / "missing.yaml")
    assert error.line is None and "cannot read the file" in error.reason
