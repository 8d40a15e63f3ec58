"""`newswatch run`: the whole pipeline on this machine, for a person watching a terminal.

Starts the local broker when no cluster is configured, creates the topics, starts a
worker process, replays the seed articles, and prints each alert as it arrives on the
alerts topic (with stories on, a copy of a story as one line under it). Ctrl-C (or,
with --once, the worker having committed every replayed article) stops what this
command started.
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

    Guarantees: stops what it started, however it ends: the worker process always, the
    local broker unless `keep_broker` or it was already running; a cluster configured
    with NEWSWATCH_KAFKA_BOOTSTRAP is used as it is. Raises `NewswatchError` when an
    article is not delivered or the worker exits or never becomes healthy.
    """
    started = time.monotonic()
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
    log_path = settings.state_dir.resolve() / "logs" / "worker.log"
    try:
        with _worker_process(settings, log_path) as worker:
            try:
                asyncio.run(
                    _watch(
                        settings,
                        connection,
                        seeds,
                        once=once,
                        worker=worker,
                        log_path=log_path,
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
def _worker_process(settings: Settings, log_path: Path) -> Iterator[WorkerProcess]:
    worker = WorkerProcess.start(
        os.environ.copy(), log_path, host=settings.metrics_host, port=settings.metrics_port, append=True
    )
    try:
        yield worker
    finally:
        worker.stop(_WORKER_STOP_TIMEOUT_S)
        print(f"worker: stopped (log: {log_path})", flush=True)


async def _watch(
    settings: Settings,
    connection: KafkaConnection,
    seeds: list[Path],
    *,
    once: bool,
    worker: WorkerProcess,
    log_path: Path,
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
        print(f"worker: running (log: {log_path}); metrics at {worker.metrics_url}", flush=True)

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
            if (
                once
                and not batch
                and await _worker_caught_up(settings, connection, alerts, article_partitions)
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
    article_ends = await alerts.end_offsets(article_partitions)
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(settings.app_id)
    finally:
        await admin.close()
    for tp, end in article_ends.items():
        if end > 0 and (tp not in committed or committed[tp].offset < end):
            return False
    alert_ends = await alerts.end_offsets(list(alerts.assignment()))
    for tp, end in alert_ends.items():
        if await alerts.position(tp) < end:
            return False
    return True


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
