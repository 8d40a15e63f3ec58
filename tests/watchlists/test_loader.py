"""Mistakes in a watch-list file are reported with the file, the line and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.errors import WatchlistError, WatchlistsInvalid
from newswatch.watchlists import Engine, default_watchlist_paths, load_watchlists
from newswatch.watchlists.rules.loader import check_watchlists
from tests.helpers.watchlists import VALID, write


def load_error(*paths: Path) -> WatchlistError:
    with pytest.raises(WatchlistError) as caught:
        load_watchlists(list(paths))
    return caught.value


def test_packaged_watchlists_load_with_their_metadata_and_eleven_languages() -> None:
    watchlists = load_watchlists(default_watchlist_paths())
    assert sorted(watchlist.name for watchlist in watchlists) == [
        "arms_transfers",
        "korean_peninsula",
        "sanctions",
    ]
    for watchlist in watchlists:
        assert watchlist.description and watchlist.owner and watchlist.version
        assert watchlist.languages >= {"en", "id", "ko", "ru", "zh", "ja", "ar", "es", "fr", "de", "vi"}


def test_valid_file_loads_with_its_rules(tmp_path: Path) -> None:
    (watchlist,) = load_watchlists([write(tmp_path, "one.yaml", VALID.format(name="one"))])
    assert [rule.name for rule in watchlist.rules] == ["named", "near"]
    assert watchlist.rules[1].kind == "all" and watchlist.rules[1].within.words == 5


def test_unknown_key_names_the_key_its_line_and_the_allowed_ones(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("threshold: 1.0", "treshold: 1.0")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert (error.path.name, error.line) == ("one.yaml", 5)
    assert "unknown setting 'treshold'" in error.reason and "threshold" in error.reason


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        VALID.format(name="one")
        .replace("threshold: 1.0", "threshold: high")
        .replace("- north korea", "- nor*th")
        .replace("5 words", "5 miles")
    )
    error = load_error(write(tmp_path, "one.yaml", text))
    assert isinstance(error, WatchlistsInvalid)
    assert [problem.line for problem in error.problems] == [5, 14, 18]
    assert str(error).count("one.yaml:") == 3


def test_empty_group_is_refused_at_its_line(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("      en:\n        - north korea\n", "      en: []\n")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line == 13
    assert (
        error.reason
        == "the 'en' words of 'any' of the rule 'named' must be a list with at least one '- ...' line"
    )


def test_unknown_word_list_is_named(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("all: [places,", "all: [placez,")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line == 17 and "word list 'placez', which is not defined" in error.reason


def test_rule_needs_any_or_all_and_all_needs_two_groups(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("all: [places, {en: [missile*]}]", "all: [places]")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert "use 'any:' for one group" in error.reason


def test_duplicate_rule_name_is_refused(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("name: near", "name: named")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line == 15 and "'named' is used twice (also on line 10)" in error.reason


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
        ("sank(si|tion)", "not regular expressions"),
        ("a" * 101, "at most 100"),
    ],
)
def test_bad_terms_are_refused_with_a_reason(tmp_path: Path, term: str, reason: str) -> None:
    text = VALID.format(name="one").replace("- north korea", f"- {term}")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line == 14 and reason in error.reason


def test_term_listed_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("- north korea", "- North Korea\n        - north korea")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line == 15 and "listed twice (also on line 14)" in error.reason


def test_broken_yaml_reports_the_line(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("owner: tests", "owner: [tests")
    error = load_error(write(tmp_path, "one.yaml", text))
    assert error.line is not None and "not valid YAML" in error.reason


def test_missing_file_is_reported_without_a_line(tmp_path: Path) -> None:
    error = load_error(tmp_path / "missing.yaml")
    assert error.line is None and "cannot read the file" in error.reason


def test_check_lists_problems_and_engine_refuses_to_start(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", VALID.format(name="good"))
    bad = write(tmp_path, "bad.yaml", VALID.format(name="bad").replace("weight: 0.5", "weight: lots"))
    assert check_watchlists([good]) == []
    assert [str(problem) for problem in check_watchlists([good, bad])] == [
        f"{bad}:16: 'weight' must be a number such as 1.0, not 'lots'"
    ]
    with pytest.raises(WatchlistsInvalid):
        Engine.from_paths([good, bad])


def test_packaged_watchlists_pass_the_check() -> None:
    assert check_watchlists(default_watchlist_paths()) == []
