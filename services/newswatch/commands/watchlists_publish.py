"""`newswatch watchlists publish FILE|DIR...`: validate, then publish to the watch-lists topic."""

from __future__ import annotations

import argparse
import asyncio
import sys

from newswatch.contracts import utc_now
from newswatch.errors import WatchlistsInvalid
from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.watchlist_topic.publishing import default_publisher, prepare, publish, topic_ready


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Every problem as `file:line: message` and exit 1 with nothing published, or one line
    per list published and exit 0."""
    try:
        records = prepare(args.paths, args.by or default_publisher(), utc_now())
    except WatchlistsInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); nothing was published", file=sys.stderr)
        return 1
    connection = KafkaConnection.from_settings(settings)

    async def send() -> list[str]:
        await topic_ready(connection, settings)
        sent = await publish(connection, settings.watchlists_topic, records)
        return [
            f"published {record.name} version {record.version} (sha256 {record.sha256[:12]}) "
            f"to {settings.watchlists_topic} partition {where.partition} offset {where.offset}"
            for record, where in zip(records, sent, strict=True)
        ]

    for line in asyncio.run(send()):
        print(line)
    return 0
