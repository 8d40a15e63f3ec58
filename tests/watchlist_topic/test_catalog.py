"""What is in force: the file lists, overlaid by the topic's by name; removals fall back."""

from __future__ import annotations

from pathlib import Path

from newswatch.watchlist_topic.catalog import Catalog, FileList, catalog_of, in_force
from newswatch.watchlist_topic.exceptions import BadWatchlistRecord
from newswatch.watchlist_topic.records import Published, Removed, read_record
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


def shown(files: list[FileList], catalog: Catalog) -> list[tuple[str, str, str]]:
    return [(item.name, item.version, item.origin) for item in in_force(files, catalog)]


def test_the_topic_wins_by_name_and_adds_names() -> None:
    catalog = Catalog().applied([published("watch", "2"), published("extra", "1")])
    files = [file_list("watch"), file_list("alone")]
    assert shown(files, catalog) == [("alone", "1", "file"), ("extra", "1", "topic"), ("watch", "2", "topic")]


def test_the_last_record_of_a_name_wins_and_a_removal_brings_back_the_file() -> None:
    catalog = Catalog().applied([published("watch", "2"), published("watch", "3")])
    assert shown([file_list("watch")], catalog) == [("watch", "3", "topic")]
    removed = catalog.applied([Removed("watch")])
    assert shown([file_list("watch")], removed) == [("watch", "1", "file")]
    assert shown([], removed) == []
    assert catalog.lists["watch"].record.version == "3", (
        "applied gives a new catalog; the old one is unchanged"
    )


def test_a_removal_of_a_name_not_published_changes_nothing() -> None:
    catalog = Catalog().applied([published("watch", "2")])
    assert Catalog().applied([Removed("gone")]).lists == {}
    assert shown([], catalog.applied([Removed("gone")])) == [("watch", "2", "topic")]


def test_bad_records_change_nothing_and_are_handed_back() -> None:
    bad = BadWatchlistRecord("t", 0, 5, "watch", "the value is not JSON")
    catalog, problems = catalog_of([published("watch", "2"), bad])
    assert problems == [bad]
    assert shown([], catalog) == [("watch", "2", "topic")]
