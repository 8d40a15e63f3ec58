"""What is in force: the file lists, overlaid by the topic's by name; removals fall back."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.watchlist_topic.catalog import Catalog, FileList, catalog_of, in_force
from newswatch.watchlist_topic.exceptions import BadWatchlistRecord
from newswatch.watchlist_topic.records import Published, Removed, read_record
from newswatch.watchlists.rules import budget
from newswatch.watchlists.rules.loader import read_watchlist_text
from tests.helpers.watchlists import published_json, terms_yaml


def published(name: str, version: str, offset: int = 0) -> Published:
    found = read_record(
        "t", 0, offset, name.encode(), published_json(terms_yaml("x", name=name, version=version))
    )
    assert isinstance(found, Published)
    return found


def file_list(name: str, version: str = "1") -> FileList:
    return FileList(
        read_watchlist_text(Path(f"{name}.yaml"), terms_yaml("x", name=name, version=version)), "f" * 64
    )


def applied(catalog: Catalog, changes: list[Published | Removed]) -> Catalog:
    """`catalog.applied`, which these changes all fit (nothing refused)."""
    after, refused = catalog.applied(changes)
    assert refused == []
    return after


def shown(files: list[FileList], catalog: Catalog) -> list[tuple[str, str, str]]:
    return [(item.name, item.version, item.origin) for item in in_force(files, catalog)]


def test_the_topic_wins_by_name_and_adds_names() -> None:
    catalog = applied(Catalog(), [published("watch", "2"), published("extra", "1")])
    files = [file_list("watch"), file_list("alone")]
    assert shown(files, catalog) == [("alone", "1", "file"), ("extra", "1", "topic"), ("watch", "2", "topic")]


def test_the_last_record_of_a_name_wins_and_a_removal_brings_back_the_file() -> None:
    catalog = applied(Catalog(), [published("watch", "2"), published("watch", "3")])
    assert shown([file_list("watch")], catalog) == [("watch", "3", "topic")]
    removed = applied(catalog, [Removed("watch")])
    assert shown([file_list("watch")], removed) == [("watch", "1", "file")]
    assert shown([], removed) == []
    assert catalog.lists["watch"].record.version == "3", (
        "applied gives a new catalog; the old one is unchanged"
    )


def test_a_removal_of_a_name_not_published_changes_nothing() -> None:
    catalog = applied(Catalog(), [published("watch", "2")])
    assert applied(Catalog(), [Removed("gone")]).lists == {}
    assert shown([], applied(catalog, [Removed("gone")])) == [("watch", "2", "topic")]


def test_bad_records_change_nothing_and_are_handed_back() -> None:
    bad = BadWatchlistRecord("t", 0, 5, "watch", "the value is not JSON")
    catalog, problems = catalog_of([published("watch", "2"), bad])
    assert problems == [bad]
    assert shown([], catalog) == [("watch", "2", "topic")]


def query_list(name: str, query: str, offset: int = 0) -> Published:
    found = read_record(
        "t", 0, offset, name.encode(), published_json(f"name: {name}\nversion: '1'\nquery: {query}\n")
    )
    assert isinstance(found, Published)
    return found


def test_a_publish_past_the_distinct_term_limit_is_refused_as_a_bad_record_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The limit lowered from 300,000 so that a few lists reach it.
    monkeypatch.setattr(budget, "MAX_QUERY_TERMS", 5)
    first = query_list("acme", "acme AND (ship* OR sale)", offset=1)
    shared = query_list("beta", "beta AND (ship* OR sale)", offset=2)  # one new term: 4 distinct
    over = query_list("gamma", "gamma AND delta", offset=3)
    catalog, bad = catalog_of([first, shared, over])

    assert sorted(catalog.lists) == ["acme", "beta"], "terms two lists share count once"
    [problem] = bad
    assert (problem.topic, problem.partition, problem.offset, problem.key) == ("t", 0, 3, "gamma")
    assert "6 different query terms, over the limit of 5" in problem.reason

    # Removing a list makes room: the same publish then fits.
    catalog, bad = catalog_of([Removed("beta"), query_list("gamma", "gamma AND delta", offset=4)], catalog)
    assert (sorted(catalog.lists), bad) == (["acme", "gamma"], [])


def test_over_a_limit_a_list_may_still_be_replaced_by_a_smaller_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = query_list("acme", "acme AND (ship* OR sale OR deal)")
    smaller = query_list("acme", "acme AND deal", offset=1)
    bigger = query_list("acme", "acme AND (deal OR sale OR pact)", offset=2)
    catalog, _ = catalog_of([first])
    # As if the limit were lowered after the list was published (read with the old one).
    monkeypatch.setattr(budget, "MAX_QUERY_TERMS", 2)
    catalog, bad = catalog_of([smaller], catalog)
    assert (bad, catalog.lists["acme"].offset) == ([], 1)
    catalog, bad = catalog_of([bigger], catalog)
    assert [problem.offset for problem in bad] == [2]
    assert catalog.lists["acme"].offset == 1, "a refused publish leaves the version in force"


def test_rule_word_uses_are_limited_across_the_topic_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "MAX_WORD_USES", 3)
    two = read_record("t", 0, 1, b"two", published_json(terms_yaml("embargo", "blockade", name="two")))
    one_more = read_record("t", 0, 2, b"one", published_json(terms_yaml("sanction", name="one")))
    too_many = read_record("t", 0, 3, b"more", published_json(terms_yaml("tariff", name="more")))
    catalog, bad = catalog_of([two, one_more, too_many])
    assert sorted(catalog.lists) == ["one", "two"]
    assert [(problem.key, problem.reason) for problem in bad] == [
        ("more", "with it the lists would hold 4 uses of words by their rules, over the limit of 3")
    ]
