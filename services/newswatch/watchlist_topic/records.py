"""What one record of the watch-lists topic is: a published list, a removal, or bad.

Pure: bytes in, a `Published` (the record and its compiled-ready watch-list), a
`Removed` (a tombstone), or `BadWatchlistRecord` with the reason. The worker and the
commands read records with this one function, so a record `newswatch watchlists list`
shows is one every worker would apply. The YAML is checked by the same loader as files;
its problems read `topic[name]:line: message`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from newswatch.contracts import PublishedWatchlist, describe_validation_error, yaml_sha256
from newswatch.errors import WatchlistsInvalid
from newswatch.watchlist_topic.exceptions import BadWatchlistRecord
from newswatch.watchlists import Watchlist
from newswatch.watchlists.rules.loader import read_watchlist_text

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
# A watch-list file may have 1 MiB (yaml_nodes.MAX_FILE_BYTES); in JSON its text can grow
# (escaped quotes, newlines and non-ASCII as \uXXXX): up to six times in the worst case.
MAX_RECORD_BYTES = 8 * 1024 * 1024
_REASON_CHARS = 2000  # the loader lists every problem; a log line needs the first ones


@dataclass(frozen=True, slots=True)
class Published:
    """A valid published watch-list: the record as read, its loaded watch-list, and where it is."""

    record: PublishedWatchlist
    watchlist: Watchlist
    topic: str
    partition: int
    offset: int

    @property
    def name(self) -> str:
        return self.record.name


@dataclass(frozen=True, slots=True)
class Removed:
    """A tombstone: the topic's version of `name` is withdrawn."""

    name: str


def topic_label(topic: str, name: str) -> Path:
    """How a published list is named in problems and as its `source`: `news.watchlists[name]`."""
    return Path(f"{topic}[{name}]")


def published_record(
    watchlist: Watchlist, text: str, *, source: str | None, published_by: str, published_at: datetime
) -> PublishedWatchlist:
    """The record for a watch-list already loaded (validated) from `text`."""
    return PublishedWatchlist(
        name=watchlist.name,
        version=watchlist.version,
        sha256=yaml_sha256(text),
        yaml=text,
        source=source,
        published_by=published_by,
        published_at=published_at,
    )


def encode(record: PublishedWatchlist) -> tuple[bytes, bytes]:
    """(key, value) of a record: keyed by the name, so compaction keeps the latest of each."""
    return record.name.encode(), record.model_dump_json().encode()


def read_record(
    topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None
) -> Published | Removed:
    """What the record at `topic`/`partition`/`offset` is; BadWatchlistRecord if unusable."""
    name = _name(topic, partition, offset, key)

    def bad(reason: str) -> BadWatchlistRecord:
        return BadWatchlistRecord(topic, partition, offset, name, reason[:_REASON_CHARS])

    if value is None:
        return Removed(name)
    if len(value) > MAX_RECORD_BYTES:
        raise bad(f"the value has {len(value):,} bytes, more than {MAX_RECORD_BYTES:,}")
    try:
        record = PublishedWatchlist.model_validate(json.loads(value))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"the value is not JSON ({exc})") from None
    except ValidationError as exc:
        raise bad(describe_validation_error(exc, "PublishedWatchlist")) from None
    if record.name != name:
        raise bad(f"the record names '{record.name}' but its key is '{name}'")
    if record.sha256 != yaml_sha256(record.yaml):
        raise bad("sha256 is not the hash of the YAML (changed after publishing?)")
    try:
        watchlist = read_watchlist_text(topic_label(topic, name), record.yaml)
    except WatchlistsInvalid as exc:
        raise bad(f"the YAML is not a valid watch-list: {exc}") from None
    if watchlist.name != name:
        raise bad(f"the YAML's name is '{watchlist.name}' but the key is '{name}'")
    if watchlist.version != record.version:
        raise bad(f"the YAML's version is '{watchlist.version}' but the record says '{record.version}'")
    return Published(record, watchlist, topic, partition, offset)


def _name(topic: str, partition: int, offset: int, key: bytes | None) -> str:
    if key is None:
        raise BadWatchlistRecord(
            topic, partition, offset, None, "the record has no key (the watch-list name)"
        )
    try:
        name = key.decode("utf-8")
    except UnicodeDecodeError:
        raise BadWatchlistRecord(topic, partition, offset, repr(key[:64]), "the key is not UTF-8") from None
    if not _NAME.match(name) or len(name) > 200:
        raise BadWatchlistRecord(
            topic, partition, offset, name[:200], "the key is not a watch-list name (a-z, 0-9, _)"
        )
    return name
