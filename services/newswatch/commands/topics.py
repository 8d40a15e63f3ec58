"""`newswatch topics`: create the worker's topics if missing (articles, alerts, dead letters,
stories, spikes, and with stories enabled the stories stage's two internal topics; and the
compacted watch-lists topic)."""

from __future__ import annotations

import argparse
import asyncio

from newswatch.kafka.admin import prepare_newswatch_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Create the missing topics and say which (or that all exist)."""
    created = asyncio.run(prepare_newswatch_topics(KafkaConnection.from_settings(settings), settings))
    print(f"created: {', '.join(created)}" if created else "all topics already exist")
    return 0
