"""`newswatch replay`: publish article files to the articles topic."""

from __future__ import annotations

import argparse
import asyncio
import sys

from newswatch.kafka.admin import prepare_newswatch_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.replayer.producer import ReplayOptions, replay
from newswatch.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Replay the files (topics created first); exit 1 when a record was not delivered."""
    connection = KafkaConnection.from_settings(settings)
    asyncio.run(prepare_newswatch_topics(connection, settings))
    options = ReplayOptions(rate=args.rate, loop=args.loop, limit=args.limit)
    report = asyncio.run(replay(args.paths, connection, settings.articles_topic, options))
    for article_id, reason in report.undelivered:
        print(f"not delivered: article {article_id}: {reason}", file=sys.stderr)
    print(
        f"replay: {report.delivered} delivered to {settings.articles_topic}, "
        f"{len(report.skipped_inputs)} inputs skipped, {len(report.undelivered)} not delivered"
    )
    return 0 if report.ok else 1
