"""The command side of the watch-lists topic: publish files, remove names, read what is there.

`prepare` validates a whole batch before anything is sent (one invalid file and nothing
is published), with the loader's `file:line: message` problems; `publish` and `remove`
then send with acks=all and wait for every acknowledgement.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiokafka import AIOKafkaProducer

from newswatch.contracts import PublishedWatchlist
from newswatch.errors import WatchlistError, WatchlistsInvalid
from newswatch.kafka.admin import WATCHLIST_TOPIC_MAX_MESSAGE_BYTES, ensure_watchlists_topic, wait_for_broker
from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.watchlist_topic.catalog import Catalog, catalog_of
from newswatch.watchlist_topic.exceptions import BadWatchlistRecord, NotOnTopic, OverLimits
from newswatch.watchlist_topic.records import MAX_RECORD_BYTES, encode, published_record, read_record
from newswatch.watchlist_topic.topic_reader import WatchlistTopicReader
from newswatch.watchlists.rules.loader import check_watchlists, read_watchlist_text

WATCHLIST_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Sent:
    """A record the broker acknowledged: the watch-list name and where it landed."""

    name: str
    partition: int
    offset: int


def default_publisher() -> str:
    """Who publishes, when --by is not given: user@host (no secret, and enough to ask them)."""
    return f"{getpass.getuser()}@{socket.gethostname()}"


def watchlist_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and the .yaml/.yml files of the folders named (sorted, not recursive)."""
    files: list[Path] = []
    problems: list[WatchlistError] = []
    for path in paths:
        if path.is_dir():
            found = sorted(item for item in path.iterdir() if item.suffix in WATCHLIST_SUFFIXES)
            if not found:
                problems.append(WatchlistError(path, None, "the folder holds no .yaml or .yml file"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(WatchlistError(path, None, "no such file or folder"))
    if problems:
        raise WatchlistsInvalid(problems)
    return files


def prepare(paths: Sequence[Path], published_by: str, now: datetime) -> list[PublishedWatchlist]:
    """The records of the watch-lists in `paths`, or WatchlistsInvalid with every problem of
    every file (the same messages as `newswatch watchlists check`): all or nothing."""
    files = watchlist_files(paths)
    problems = check_watchlists(files)
    if problems:
        raise WatchlistsInvalid(problems)
    records = []
    for path in files:
        # Read once: the record carries exactly the text that was checked here.
        text = path.read_text(encoding="utf-8")
        watchlist = read_watchlist_text(path, text)
        record = published_record(
            watchlist, text, source=path.name, published_by=published_by, published_at=now
        )
        if len(encode(record)[1]) > MAX_RECORD_BYTES:
            problems.append(
                WatchlistError(path, None, f"as a record it has more than {MAX_RECORD_BYTES:,} bytes")
            )
        records.append(record)
    if problems:
        raise WatchlistsInvalid(problems)
    return records


async def topic_ready(connection: KafkaConnection, settings: Settings) -> None:
    """Wait for the cluster and create the watch-lists topic if missing (as the worker does)."""
    await wait_for_broker(connection, 30.0)
    await ensure_watchlists_topic(connection, settings)


async def read_catalog(connection: KafkaConnection, topic: str) -> tuple[Catalog, list[BadWatchlistRecord]]:
    """The lists on the topic now, and its bad records (which change nothing)."""
    async with WatchlistTopicReader(connection, topic) as reader:
        return catalog_of(await reader.read_to_end())


async def publish(
    connection: KafkaConnection, topic: str, records: Sequence[PublishedWatchlist]
) -> list[Sent]:
    """Send every record keyed by its name and wait until the broker has them all (acks=all);
    OverLimits (and nothing sent) if with the topic's lists they would pass a limit."""
    encoded = [encode(record) for record in records]
    catalog, _ = await read_catalog(connection, topic)
    # Read back as a worker reads them, so the check is the workers' own.
    _, refused = catalog.applied([read_record(topic, 0, -1, key, value) for key, value in encoded])
    if refused:
        raise OverLimits(topic, [(published.name, reason) for published, reason in refused])
    return await _send(connection, topic, encoded)


async def remove(connection: KafkaConnection, topic: str, names: Sequence[str]) -> list[Sent]:
    """Send a tombstone for each name; NotOnTopic (and nothing sent) if any is not published."""
    catalog, _ = await read_catalog(connection, topic)
    missing = [name for name in dict.fromkeys(names) if name not in catalog.lists]
    if missing:
        raise NotOnTopic(topic, missing, sorted(catalog.lists))
    return await _send(connection, topic, [(name.encode(), None) for name in dict.fromkeys(names)])


async def _send(
    connection: KafkaConnection, topic: str, records: Sequence[tuple[bytes, bytes | None]]
) -> list[Sent]:
    producer = AIOKafkaProducer(
        **connection.client_kwargs(),
        acks="all",
        enable_idempotence=True,
        max_request_size=WATCHLIST_TOPIC_MAX_MESSAGE_BYTES,
        request_timeout_ms=30_000,
    )
    await producer.start()
    try:
        deliveries = [await producer.send(topic, key=key, value=value) for key, value in records]
        sent = []
        for (key, _), delivery in zip(records, deliveries, strict=True):
            metadata = await delivery
            sent.append(Sent(key.decode(), metadata.partition, metadata.offset))
        return sent
    finally:
        await producer.stop()
