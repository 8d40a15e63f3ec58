"""`newswatch worker`: make sure the topics exist, then run the Faust app until stopped."""

from __future__ import annotations

import asyncio
from typing import NoReturn

import faust
import uvloop
from prometheus_client import CollectorRegistry

from newswatch.kafka.admin import prepare_newswatch_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.tagger.alerts import load_engine
from newswatch.tagger.app import build_app


def run_worker(settings: Settings) -> NoReturn:
    engine = load_engine(settings)
    # The language model loads lazily (about a second): pay that now, not on the first article.
    engine.detect_language("warm-up")
    connection = KafkaConnection.from_settings(settings)
    asyncio.run(prepare_newswatch_topics(connection, settings))
    app = build_app(settings, connection, engine, CollectorRegistry())
    # uvloop for the main loop and for the consumer thread's loop (created through the
    # policy): in the profile the worker spent about a tenth of its time in asyncio's own
    # scheduling and socket code, which uvloop runs in C.
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True, loop=loop)
    # Faust's terminal spinner lowers the root logger to DEBUG (to spin on every record)
    # whenever the level is warning or above: every debug call would then be formatted.
    worker.spinner = None
    print(
        f"newswatch worker: {settings.articles_topic} -> {settings.alerts_topic} "
        f"(dead letters: {settings.dead_letter_topic}), group {settings.app_id}, "
        f"watch-lists {', '.join(engine.watchlist_names)}; "
        f"metrics on http://{settings.metrics_host}:{settings.metrics_port}/metrics",
        flush=True,
    )
    worker.execute_from_commandline()  # exits the process when the worker stops
