"""A record of the watch-lists topic is a published list, a removal, or bad with a reason."""

from __future__ import annotations

import json

import pytest

from newswatch.contracts import yaml_sha256
from newswatch.watchlist_topic.exceptions import BadWatchlistRecord
from newswatch.watchlist_topic.records import Published, Removed, read_record
from tests.helpers.watchlists import published_json, terms_yaml

TOPIC = "news.watchlists"


def read(key: bytes | None, value: bytes | None) -> Published | Removed:
    return read_record(TOPIC, 0, 7, key, value)


def refused(key: bytes | None, value: bytes | None) -> BadWatchlistRecord:
    with pytest.raises(BadWatchlistRecord) as caught:
        read(key, value)
    return caught.value


def test_a_published_list_reads_back_as_its_watchlist() -> None:
    text = terms_yaml("embargo", name="watch", version="3")
    found = read(b"watch", published_json(text))
    assert isinstance(found, Published)
    assert (found.name, found.record.version, found.offset) == ("watch", "3", 7)
    assert found.watchlist.name == "watch"
    assert str(found.watchlist.source) == "news.watchlists[watch]"


def test_a_null_value_is_a_removal() -> None:
    assert read(b"watch", None) == Removed("watch")


def changed(**fields: object) -> bytes:
    record = json.loads(published_json(terms_yaml("embargo", name="watch")))
    return json.dumps({**record, **fields}).encode()


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        (None, b"{}", "has no key"),
        (b"\xff", b"{}", "not UTF-8"),
        (b"Watch list", b"{}", "not a watch-list name"),
        (b"watch", b"not json {", "not JSON"),
        (b"watch", b'{"name": "watch"}', "not a valid PublishedWatchlist: version: Field required"),
        (b"other", changed(), "names 'watch' but its key is 'other'"),
        (b"watch", changed(yaml=terms_yaml("blockade", name="watch")), "sha256 is not the hash"),
    ],
)
def test_a_bad_record_says_which_key_and_why(key: bytes | None, value: bytes, reason: str) -> None:
    problem = refused(key, value)
    assert reason in problem.reason
    assert str(problem).startswith(f"{TOPIC} partition 0 offset 7 (key ")


def test_invalid_yaml_is_refused_with_the_line_of_the_problem() -> None:
    text = terms_yaml("embargo", name="watch") + "colour: blue\n"  # line 12
    value = changed(yaml=text, sha256=yaml_sha256(text))
    problem = refused(b"watch", value)
    assert problem.key == "watch"
    assert "news.watchlists[watch]:12: unknown setting 'colour'" in problem.reason


def test_a_yaml_whose_name_or_version_differs_from_the_record_is_refused() -> None:
    other = published_json(terms_yaml("embargo", name="other"))
    assert "the record names 'other' but its key is 'watch'" in refused(b"watch", other).reason
    value = changed(version="9")
    assert "the YAML's version is '1' but the record says '9'" in refused(b"watch", value).reason


def test_a_bad_query_on_the_topic_is_refused_at_its_line_and_column() -> None:
    text = "name: watch\nversion: '1'\nquery: 'acme AND'\n"
    problem = refused(b"watch", changed(yaml=text, sha256=yaml_sha256(text)))
    assert "news.watchlists[watch]:3:14: 'AND' needs something to find after it" in problem.reason
