"""`newswatch run`: the whole pipeline on this machine, for a person watching a terminal.

Starts the local broker when no cluster is configured, creates the topics, starts a
worker process, replays the seed articles, and prints each alert as it arrives on the
alerts topic (with stories on, a copy of a story as one line under it). With
NEWSWATCH_SUBSCRIPTIONS set it also starts the notifier (`newswatch notify run`), after
checking the file as the notifier would. Ctrl-C (or, with --once, the worker and the
notifier having committed every record) stops what this command started.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from newswatch.contracts import Alert
from newswatch.errors import NewswatchError
from newswatch.kafka.admin import partitions_of, prepare_newswatch_topics, quiet_client_logs
from newswatch.kafka.connection import KafkaConnection
from newswatch.kafka.local_broker import LocalBroker
from newswatch.notify.loading import configured_subscriptions
from newswatch.replayer.producer import ReplayOptions, replay
from newswatch.settings import Settings
from newswatch.tagger.process import WorkerProcess

_WORKER_START_TIMEOUT_S = 90.0
_WORKER_STOP_TIMEOUT_S = 30.0
_COPIES_REMEMBERED = 10_000


def run_pipeline(settings: Settings, seeds: list[Path], once: bool, keep_broker: bool) -> int:
    """Run the whole pipeline here and print each alert; what `newswatch run` runs.

    Takes the settings, the article files (or folders) to replay, `once` (stop when the
    worker has committed every replayed article) and `keep_broker` (leave a local broker
    this call started running). Returns the exit code: 0 when stopped by `once` or Ctrl-C.

    Guarantees: stops what it started, however it ends: the worker process (and the
    notifier) always, the local broker unless `keep_broker` or it was already running; a
    cluster configured with NEWSWATCH_KAFKA_BOOTSTRAP is used as it is. Raises
    `NewswatchError` when an article is not delivered, the worker or the notifier exits or
    never becomes healthy, or the subscriptions file is invalid (before anything starts).
    """
    started = time.monotonic()
    if settings.subscriptions is not None:
        subscriptions = configured_subscriptions(settings)  # SubscriptionsInvalid: file:line lines
        print(f"notify: {len(subscriptions)} subscription(s) in {settings.subscriptions}", flush=True)
    broker = None
    if settings.uses_local_broker:
        broker = LocalBroker.from_settings(settings)
        was_running = broker.status().answering
        status = broker.up()
        verb = "reusing the running" if was_running else "started the"
        print(f"kafka: {verb} local broker at {status.bootstrap} (log: {status.log_file})", flush=True)
        if was_running:
            broker = None  # not ours to stop
    connection = KafkaConnection.from_settings(settings)
    asyncio.run(prepare_newswatch_topics(connection, settings))
    logs = settings.state_dir.resolve() / "logs"
    try:
        with _worker_process(settings, logs) as worker, _notifier_process(settings, logs) as notifier:
            try:
                asyncio.run(
                    _watch(
                        settings,
                        connection,
                        seeds,
                        once=once,
                        worker=worker,
                        notifier=notifier,
                        started=started,
                    )
                )
            except KeyboardInterrupt:
                print("\nstopping…", flush=True)
        return 0
    finally:
        if broker is not None and not keep_broker:
            broker.down()
            print("kafka: local broker stopped", flush=True)


@contextlib.contextmanager
def _worker_process(settings: Settings, logs: Path) -> Iterator[WorkerProcess]:
    log_path = logs / "worker.log"
    worker = WorkerProcess.start(
        os.environ.copy(), log_path, host=settings.metrics_host, port=settings.metrics_port, append=True
    )
    try:
        yield worker
    finally:
        worker.stop(_WORKER_STOP_TIMEOUT_S)
        print(f"worker: stopped (log: {log_path})", flush=True)


@contextlib.contextmanager
def _notifier_process(settings: Settings, logs: Path) -> Iterator[WorkerProcess | None]:
    """`newswatch notify run` beside the worker when NEWSWATCH_SUBSCRIPTIONS is set."""
    if settings.subscriptions is None:
        yield None
        return
    log_path = logs / "notifier.log"
    notifier = WorkerProcess.start(
        os.environ.copy(),
        log_path,
        host=settings.metrics_host,
        port=settings.notify_metrics_port,
        append=True,
        command=("notify", "run"),
    )
    try:
        yield notifier
    finally:
        notifier.stop(_WORKER_STOP_TIMEOUT_S)
        print(f"notifier: stopped (log: {log_path})", flush=True)


async def _watch(
    settings: Settings,
    connection: KafkaConnection,
    seeds: list[Path],
    *,
    once: bool,
    worker: WorkerProcess,
    notifier: WorkerProcess | None,
    started: float,
) -> None:
    alerts = AIOKafkaConsumer(**connection.client_kwargs(), enable_auto_commit=False)
    await alerts.start()
    try:
        known = await partitions_of(connection, [settings.alerts_topic, settings.articles_topic])
        partitions = [TopicPartition(settings.alerts_topic, p) for p in known[settings.alerts_topic]]
        article_partitions = [
            TopicPartition(settings.articles_topic, p) for p in known[settings.articles_topic]
        ]
        alerts.assign(partitions)
        # Just-created partitions can refuse the first offset lookup; aiokafka retries it.
        with quiet_client_logs():
            await alerts.seek_to_end(*partitions)
            for tp in partitions:
                await alerts.position(tp)  # fix "the end" now, before any new alert exists

        await worker.wait_healthy_async(_WORKER_START_TIMEOUT_S)
        print(f"worker: running (log: {worker.log}); metrics at {worker.metrics_url}", flush=True)
        if notifier is not None:
            await notifier.wait_healthy_async(_WORKER_START_TIMEOUT_S)
            print(f"notifier: running (log: {notifier.log}); metrics at {notifier.metrics_url}", flush=True)

        report = await replay(seeds, connection, settings.articles_topic, ReplayOptions())
        print(
            f"replay: {report.delivered} articles sent to {settings.articles_topic}"
            f"{f', {len(report.skipped_inputs)} inputs skipped' if report.skipped_inputs else ''}",
            flush=True,
        )
        if not report.ok:
            raise NewswatchError(f"{len(report.undelivered)} articles were not delivered")

        first_alert_shown = False
        printer = _StoryPrinter()
        while True:
            batch = await alerts.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    if not first_alert_shown:
                        print(f"first alert {time.monotonic() - started:.1f} s after start", flush=True)
                        first_alert_shown = True
                    shown = printer.describe(record.value)
                    if shown is not None:
                        print(shown, flush=True)
            worker.check_running()
            if notifier is not None:
                notifier.check_running()
            if (
                once
                and not batch
                and await _worker_caught_up(settings, connection, alerts, article_partitions)
                and (notifier is None or await _notifier_caught_up(settings, connection, alerts))
            ):
                print("all seed articles processed; --once: stopping", flush=True)
                return
    finally:
        await alerts.stop()


async def _worker_caught_up(
    settings: Settings,
    connection: KafkaConnection,
    alerts: AIOKafkaConsumer,
    article_partitions: list[TopicPartition],
) -> bool:
    """True when the worker's group has committed past every article on the topic.

    The worker flushes alerts before it commits, so by then every alert for the
    replayed articles is on the alerts topic; we only need to have read them all.
    """
    if not await _committed_to_the_end(connection, settings.app_id, alerts, article_partitions):
        return False
    alert_ends = await alerts.end_offsets(list(alerts.assignment()))
    for tp, end in alert_ends.items():
        if await alerts.position(tp) < end:
            return False
    return True


async def _notifier_caught_up(
    settings: Settings, connection: KafkaConnection, reader: AIOKafkaConsumer
) -> bool:
    """True when the notifier's group has committed past every record it reads: each of
    those records' notifications was delivered or dead-lettered."""
    topics = [settings.alerts_topic, settings.stories_topic, settings.spikes_topic]
    known = await partitions_of(connection, topics)
    partitions = [TopicPartition(topic, p) for topic, numbers in known.items() for p in numbers]
    return await _committed_to_the_end(connection, settings.notify_app_id, reader, partitions)


async def _committed_to_the_end(
    connection: KafkaConnection, group: str, reader: AIOKafkaConsumer, partitions: list[TopicPartition]
) -> bool:
    """True when `group` has committed the end of every non-empty partition (`reader` asks the ends)."""
    ends = await reader.end_offsets(partitions)
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return all(end == 0 or (tp in committed and committed[tp].offset >= end) for tp, end in ends.items())


class _StoryPrinter:
    """Prints stories, not copies: an alert that opened its story (or any alert, with
    stories off) in full; a copy as one line under it, once per article, whatever
    number of watch-lists it matched."""

    def __init__(self) -> None:
        # Copies already shown; bounded (oldest first out), a terminal is not an archive.
        self._shown: dict[tuple[str, str], None] = {}

    def describe(self, raw: bytes | None) -> str | None:
        try:
            alert = Alert.model_validate_json(raw or b"")
        except ValidationError as exc:
            return f"(unreadable alert: {exc.error_count()} problems)"
        if alert.story_id is None or alert.story_id == alert.article_id:
            return _describe(alert)
        copy = (alert.story_id, alert.article_id)
        if copy in self._shown:
            return None
        self._shown[copy] = None
        if len(self._shown) > _COPIES_REMEMBERED:
            del self._shown[next(iter(self._shown))]
        return f"    + copy from {alert.source or alert.article_id}: {alert.title}"


def _describe(alert: Alert) -> str:
    lines = [
        f"ALERT [{alert.watchlist}] {alert.title or alert.article_id}  "
        f"(article {alert.article_id}, score {alert.score:g}, language {alert.language or '?'})"
    ]
    for item in alert.evidence[:5]:
        lines.append(f"    {item.field} {item.start}-{item.end} {item.text!r}: {item.snippet}")
    if len(alert.evidence) > 5:
        lines.append(f"    … and {len(alert.evidence) - 5} more")
    return "\n".join(lines)
