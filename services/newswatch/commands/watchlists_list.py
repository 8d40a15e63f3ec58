"""`newswatch watchlists list`: the watch-lists in force with these settings, and where from."""

from __future__ import annotations

import argparse
import asyncio
import sys

from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.watchlist_topic.catalog import InForce, in_force
from newswatch.watchlist_topic.file_lists import load_file_lists
from newswatch.watchlist_topic.publishing import read_catalog, topic_ready

HEADER = ("NAME", "VERSION", "SHA256", "ORIGIN", "PUBLISHED BY", "PUBLISHED AT")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """A table of the lists a worker with these settings tags with; the topic's bad records
    (which change nothing) on stderr."""
    connection = KafkaConnection.from_settings(settings)
    files = load_file_lists(settings.watchlists)

    async def read() -> list[InForce]:
        await topic_ready(connection, settings)
        catalog, bad = await read_catalog(connection, settings.watchlists_topic)
        for problem in bad:
            print(f"ignored (a worker ignores it too): {problem}", file=sys.stderr)
        return in_force(files, catalog)

    rows = [HEADER, *(row(item, settings.watchlists_topic) for item in asyncio.run(read()))]
    widths = [max(len(line[column]) for line in rows) for column in range(len(HEADER))]
    for line in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    return 0


def row(item: InForce, topic: str) -> tuple[str, str, str, str, str, str]:
    """A table line: a file list shows its path, a published one who published it and when."""
    if item.origin == "file":
        return (item.name, item.version, item.sha256[:12], f"file {item.watchlist.source}", "-", "-")
    published_at = item.published_at.isoformat(timespec="seconds") if item.published_at else "-"
    return (
        item.name,
        item.version,
        item.sha256[:12],
        f"topic {topic}",
        item.published_by or "-",
        published_at,
    )
