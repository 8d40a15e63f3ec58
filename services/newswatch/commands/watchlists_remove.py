"""`newswatch watchlists remove NAME...`: withdraw published watch-lists (tombstones)."""

from __future__ import annotations

import argparse
import asyncio

from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.watchlist_topic.publishing import remove, topic_ready


def run(settings: Settings, args: argparse.Namespace) -> int:
    """One line per name removed and exit 0; a name not on the topic fails the whole command
    (NotOnTopic, exit 1) before anything is sent."""
    connection = KafkaConnection.from_settings(settings)

    async def send() -> list[str]:
        await topic_ready(connection, settings)
        sent = await remove(connection, settings.watchlists_topic, args.names)
        return [
            f"removed {item.name} from {settings.watchlists_topic} (tombstone at partition "
            f"{item.partition} offset {item.offset}); workers fall back to their file's {item.name}, if any"
            for item in sent
        ]

    for line in asyncio.run(send()):
        print(line)
    return 0
