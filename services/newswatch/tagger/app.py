"""The Faust adapter: consume raw article records, publish alerts and dead letters.

All decisions live in `records.tag_record`; this module only moves bytes between
Kafka and that function, and counts what happened. Per-record failures never escape
the `async for` (an exception there would crash and restart the agent).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.types import TP, EventT, FutureMessage
from faust.web.drivers.aiohttp import Web as AiohttpWeb
from prometheus_client import CollectorRegistry

from newswatch.contracts import utc_now
from newswatch.kafka.connection import KafkaConnection
from newswatch.metrics import TaggerMetrics
from newswatch.settings import Settings
from newswatch.stories.app import StoriesStage
from newswatch.stories.recovery import SeekFirstTableManager
from newswatch.stories.requests import story_requests
from newswatch.tagger.failure_log import FailureLogLimiter
from newswatch.tagger.records import DEAD_LETTER_KEY_BYTES, DeadLettered, RecordOrigin, Tagged, tag_record
from newswatch.tagger.reloading import EngineSlot
from newswatch.topics import raw_topic
from newswatch.watchlists import Engine

LAG_INTERVAL_S = 1.0
PRODUCER_BATCH_BYTES = 256 * 1024
COMMIT_INTERVAL_S = 1.0
# A poison flood fails every record: a traceback each would fill the disk. The dead
# letters keep every record; a few tracebacks a minute show what went wrong.
TRACEBACKS_PER_MINUTE = 10
SUPPRESSED_REPORT_INTERVAL_S = 5.0

logger = logging.getLogger(__name__)


class Tagger:
    """The worker's Faust app (`app`): tags the articles topic into alerts and dead letters.

    Takes the settings, the Kafka connection, the slot holding the engine in use (swapped
    by a SIGHUP reload), the metrics and the registry that /metrics serves. Builds
    `configured_app` and registers on it, in `_register`, the agent, the lag timer, the
    timer reporting suppressed tracebacks, and /healthz.

    Guarantees: one record at a time (agent concurrency 1, one tagging thread), so the
    records of a partition are handled in offset order; each record's alerts or dead
    letter are sent before it is counted, and before its offset can be committed
    (at-least-once); a record that fails never stops the agent. The traceback of an
    engine failure is logged with the record's topic, partition and offset, at most
    `TRACEBACKS_PER_MINUTE` a minute.
    """

    def __init__(
        self,
        settings: Settings,
        connection: KafkaConnection,
        engines: EngineSlot,
        metrics: TaggerMetrics,
        registry: CollectorRegistry,
    ) -> None:
        self.settings = settings
        self.engines = engines
        self.metrics = metrics
        self.app = configured_app(settings, connection, registry)
        self.articles = raw_topic(self.app, settings.articles_topic)
        self.alerts = raw_topic(self.app, settings.alerts_topic)
        self.dead_letters = raw_topic(self.app, settings.dead_letter_topic)
        # Records are tagged in a thread of their own, so that the event loop (/healthz,
        # /metrics, heartbeats, commits) answers while one is tagged: the GIL passes to the
        # loop every 5 ms. One thread, awaited record by record, keeps the records in order.
        self.tagging = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newswatch-tagging")
        # With stories on, alerts go to the stories stage (repartitioned by watch-list),
        # which publishes them with their story ids; off, straight to the alerts topic.
        self.stories = (
            StoriesStage(
                self.app,
                settings,
                metrics,
                alerts=self.alerts,
                dead_letters=self.dead_letters,
                log_failure=self.log_failure,
            )
            if settings.stories_enabled
            else None
        )
        # Offset of the last record handled per partition; the lag is computed from it on a
        # timer, off the per-record path, so it also moves when the stream is stuck or idle.
        self.last_handled: dict[TP, int] = {}
        self.tracebacks = FailureLogLimiter(TRACEBACKS_PER_MINUTE, window_seconds=60.0)
        self._register()

    def _register(self) -> None:
        app = self.app

        @app.page("/healthz")
        async def healthz(view: faust.web.View, request: faust.web.Request) -> faust.web.Response:
            return view.json({"status": "ok", "watchlists": list(self.engines.current.watchlist_names)})

        app.timer(LAG_INTERVAL_S)(self.observe_lag)
        app.timer(SUPPRESSED_REPORT_INTERVAL_S)(self.report_suppressed_tracebacks)
        app.agent(self.articles, name="newswatch.tag_articles")(self.tag_articles)

    async def tag_articles(self, stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            await self.handle(event)

    async def handle(self, event: EventT[Any]) -> None:
        message = event.message
        origin = RecordOrigin(message.topic, message.partition, message.offset)
        # Read here, on the loop, once: a SIGHUP reload swaps the slot between two reads,
        # and the thread keeps the engine it was handed whatever lands meanwhile.
        engine = self.engines.current
        outcome, seconds = await asyncio.get_running_loop().run_in_executor(
            self.tagging,
            functools.partial(_tag_timed, message.key, message.value, origin, engine, self.settings),
        )
        self.metrics.tagging_seconds.observe(seconds)
        if isinstance(outcome, DeadLettered):
            if outcome.failure is not None:
                self.log_failure(origin, outcome.failure)
            # Keyed like the original (bounded as in the dead letter), so one source key's
            # dead letters stay in order on one partition.
            key = message.key[:DEAD_LETTER_KEY_BYTES] if message.key is not None else None
            dead_letter = outcome.dead_letter
            await self.dead_letters.send(key=key, value=dead_letter.model_dump_json().encode())
            self.metrics.dead_letters.labels(reason=dead_letter.reason).inc()
        elif self.stories is not None:
            await self.send_story_requests(outcome, message.timestamp)
        else:
            await self.send_alerts(outcome, message.timestamp)
        # Counted last, so that a scrape showing N consumed also shows their alerts and dead letters.
        self.metrics.articles_consumed.inc()
        self.last_handled[message.tp] = message.offset

    async def send_alerts(self, tagged: Tagged, produced_at: float) -> None:
        def on_delivered(_: FutureMessage) -> None:
            self.metrics.end_to_end_latency_seconds.observe(max(0.0, time.time() - produced_at))

        key = tagged.article.id.encode()
        for alert in tagged.alerts:
            # Sent explicitly with the key: Faust's `sink=` would drop it.
            await self.alerts.send(key=key, value=alert.model_dump_json().encode(), callback=on_delivered)
            self.metrics.alerts_emitted.labels(watchlist=alert.watchlist).inc()

    async def send_story_requests(self, tagged: Tagged, produced_at: float) -> None:
        assert self.stories is not None
        for request in story_requests(tagged, produced_at):
            # Keyed by watch-list: one partition, so one agent, decides all of a watch-list's
            # stories in order. The article's timestamp travels on, for the latency metric.
            await self.stories.requests.send(
                key=request.alert.watchlist.encode(),
                value=request.model_dump_json().encode(),
                timestamp=produced_at,
            )
            self.metrics.alerts_emitted.labels(watchlist=request.alert.watchlist).inc()

    def log_failure(self, origin: RecordOrigin, failure: Exception, reason: str = "tagging_failed") -> None:
        """The traceback a dead letter leaves out (`tagging_failed`, `story_failed`), unless
        too many came this minute."""
        if self.tracebacks.allow():
            logger.error(
                "%s for %s partition %d offset %d (dead-lettered on %s as %s)",
                "tagging failed" if reason == "tagging_failed" else "placing a story failed",
                origin.topic,
                origin.partition,
                origin.offset,
                self.settings.dead_letter_topic,
                reason,
                exc_info=failure,
            )

    async def report_suppressed_tracebacks(self) -> None:
        suppressed = self.tracebacks.take_suppressed()
        if suppressed:
            logger.error(
                "tagging failed for %d more records whose tracebacks were not logged (at most %d a "
                "minute are); their dead letters are on %s",
                suppressed,
                TRACEBACKS_PER_MINUTE,
                self.settings.dead_letter_topic,
            )

    async def observe_lag(self) -> None:
        articles_topic = self.settings.articles_topic
        assigned = {tp for tp in self.app.consumer.assignment() if tp.topic == articles_topic}
        for tp in assigned:
            highwater = self.app.consumer.highwater(tp)
            if highwater is not None:
                lag = max(0, highwater - self.last_handled.get(tp, -1) - 1)
                self.metrics.consumer_lag.labels(topic=tp.topic, partition=str(tp.partition)).set(lag)
        for tp in set(self.last_handled) - assigned:
            # Revoked in a rebalance: its lag is now another worker's to report.
            del self.last_handled[tp]
            with contextlib.suppress(KeyError):
                self.metrics.consumer_lag.remove(tp.topic, str(tp.partition))


def _tag_timed(
    key: bytes | None, value: bytes | None, origin: RecordOrigin, engine: Engine, settings: Settings
) -> tuple[Tagged | DeadLettered, float]:
    """`tag_record` and its duration, both measured in the tagging thread (no queueing counted)."""
    started = time.perf_counter()
    outcome = tag_record(
        key,
        value,
        origin,
        engine,
        utc_now(),
        max_value_bytes=settings.max_article_bytes,
        budget_seconds=settings.record_budget_seconds,
        stories=settings.stories_enabled,
    )
    return outcome, time.perf_counter() - started


def configured_app(settings: Settings, connection: KafkaConnection, registry: CollectorRegistry) -> faust.App:
    """The worker's Faust app before any topic or agent: delivery, batching, failover, web
    and sensor settings (bench/faust_passthrough.py measures Faust alone with the same)."""
    datadir = settings.state_dir.resolve() / "worker" / settings.app_id
    # Faust creates only the last folder of its datadir; the rest must exist.
    datadir.parent.mkdir(parents=True, exist_ok=True)
    app = _TaggerApp(
        settings.app_id,
        # Faust reads unprefixed variables (WEB_PORT, BROKER_URL, APP_DEBUG,
        # PROCESSING_GUARANTEE, ...) over its arguments: a Kubernetes service link
        # (WEB_PORT=tcp://...) or a stray shell variable would reconfigure the worker.
        # Our settings come from NEWSWATCH_* only, so Faust gets an empty environment.
        env={},
        debug=False,
        broker=[f"kafka://{server}" for server in connection.bootstrap.split(",")],
        broker_credentials=_faust_credentials(connection),
        autodiscover=False,
        datadir=str(datadir),
        store="memory://",
        # Seeks the stream partitions before their records flow after a table's recovery
        # (newswatch.stories.recovery): Faust's order commits past records never handled.
        TableManager=SeekFirstTableManager,
        # At-least-once, never Faust's exactly_once (see README): offsets are committed
        # only after the producer has flushed the alerts of the records before them.
        processing_guarantee="at_least_once",
        # What a crash re-processes (and so re-sends as duplicate alerts) is what was
        # handled since the last commit: 1 s of records instead of Faust's 2.8 s.
        broker_commit_interval=COMMIT_INTERVAL_S,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # Without a linger every alert is its own produce request (a syscall each): in a
        # profile that was a fifth of the worker's time. 5 ms batches them.
        producer_linger=0.005,
        # aiokafka keeps one open batch per partition and, once it is full, makes the next
        # send wait until the sender has taken it, i.e. until the previous batch's acks=all
        # round trip is over. Faust's 16 KB default fills after a handful of alerts.
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        # A worker that dies (kill -9, lost host) hands its partitions over after this long;
        # Faust's 60 s default would stall those partitions for a minute.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
        # Our topics are created explicitly (`newswatch topics`); the leader topic is unused.
        topic_allow_declare=False,
        topic_disable_leader=True,
        web_enabled=True,
        # The port serves /healthz and /metrics only: Faust's own pages show the cluster
        # layout, table contents and internals, and answer whoever reaches the port.
        web_router_enabled=False,
        web_tables_enabled=False,
        web_stats_enabled=False,
        web_graph_enabled=False,
        web_metrics_enabled=False,
        # Its default comes from FAUST_WEB_TRANSPORT/F_WEB_TRANSPORT, read at import.
        web_transport="tcp://",
        web_bind=settings.metrics_host,
        web_port=settings.metrics_port,
        web_host=settings.metrics_host,
        web_in_thread=False,
    )
    setup_prometheus_sensors(app, pattern="/metrics", registry=registry, name_prefix="newswatch_faust")
    return app


class _MetricsOnlyWeb(AiohttpWeb):
    """Faust's aiohttp server without its index page; the other built-in pages are off by
    settings (in `configured_app`), and the app's own pages (/healthz, /metrics) stay."""

    # With the statistics page off Faust serves `{"status": "OK"}` at `/`, and no setting
    # turns that off. None: `/` answers 404 like every page that is not ours.
    production_blueprints = ()


class _TaggerApp(faust.App):
    # `_new_web` is where faust.App builds its web driver; the driver class is otherwise
    # chosen by a URL scheme from a process-wide registry (the `web` setting).
    def _new_web(self) -> AiohttpWeb:
        return _MetricsOnlyWeb(self)


def _faust_credentials(connection: KafkaConnection) -> faust.SASLCredentials | faust.SSLCredentials | None:
    if connection.sasl_mechanism is not None:
        password = connection.sasl_password.get_secret_value() if connection.sasl_password else None
        return faust.SASLCredentials(
            username=connection.sasl_username,
            password=password,
            ssl_context=connection.ssl_context,
            mechanism=connection.sasl_mechanism,
        )
    if connection.ssl_context is not None:
        return faust.SSLCredentials(connection.ssl_context)
    return None
