"""`newswatch worker`: make sure the topics exist, then run the Faust app until stopped."""

from __future__ import annotations

import asyncio
import signal
from typing import NoReturn

import faust
import uvloop
from prometheus_client import CollectorRegistry

from newswatch.kafka.admin import prepare_newswatch_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.metrics import TaggerMetrics
from newswatch.settings import Settings
from newswatch.tagger.app import Tagger
from newswatch.tagger.reloading import EngineSlot, describe
from newswatch.tagger.watchlist_follower import WatchlistFollower, read_at_start, report_bad
from newswatch.watchlist_topic.file_lists import load_file_lists
from newswatch.watchlists.scoring.database_cache import DatabaseCache


def run_worker(settings: Settings) -> NoReturn:
    # Invalid files stop the worker here, every problem named; the topic is read next.
    files = load_file_lists(settings.watchlists)
    connection = KafkaConnection.from_settings(settings)
    asyncio.run(prepare_newswatch_topics(connection, settings))
    # The whole watch-lists topic before the first article (docs/watchlists.md).
    catalog, bad, positions = asyncio.run(read_at_start(connection, settings.watchlists_topic))
    registry = CollectorRegistry()
    metrics = TaggerMetrics(registry, [])
    report_bad(bad, metrics)
    # A restart with the same lists reads their compiled automaton instead of compiling it
    # (12 s of CPU for 100,000 lists); the state folder is the worker's own.
    databases = DatabaseCache(settings.state_dir.resolve() / "watchlists" / "compiled")
    engines = EngineSlot.start(
        files, catalog, lambda: load_file_lists(settings.watchlists), metrics, databases=databases
    )
    app = Tagger(settings, connection, engines, metrics, registry).app
    follower = WatchlistFollower(connection, settings.watchlists_topic, engines, metrics, positions)
    app.task(follower.follow)
    worker = faust_worker(app, settings.log_level)
    # SIGHUP's default action ends the process; installed before the worker starts (and so
    # before /healthz answers), it reloads the watch-lists instead (tagger/reloading.py).
    worker.loop.add_signal_handler(signal.SIGHUP, engines.reload_soon)
    print(
        f"newswatch worker: {settings.articles_topic} -> {settings.alerts_topic} "
        f"(dead letters: {settings.dead_letter_topic}), "
        + (
            f"stories on {settings.stories_topic}, spikes on {settings.spikes_topic} "
            f"(via {settings.story_request_topic}), "
            if settings.stories_enabled
            else "stories off, "
        )
        + f"group {settings.app_id}, "
        f"watch-lists {describe(engines.in_force)} (following {settings.watchlists_topic}); "
        f"metrics on http://{settings.metrics_host}:{settings.metrics_port}/metrics",
        flush=True,
    )
    worker.execute_from_commandline()  # exits the process when the worker stops


def faust_worker(app: faust.App, log_level: str) -> faust.Worker:
    """A Faust worker for `app` on a uvloop event loop, without Faust's terminal spinner."""
    # uvloop for the main loop and for the consumer thread's loop (created through the
    # policy): in the profile the worker spent about a tenth of its time in asyncio's own
    # scheduling and socket code, which uvloop runs in C.
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    worker = faust.Worker(app, loglevel=log_level, quiet=True, loop=loop)
    # Faust's terminal spinner lowers the root logger to DEBUG (to spin on every record)
    # whenever the level is warning or above: every debug call would then be formatted.
    worker.spinner = None
    return worker
