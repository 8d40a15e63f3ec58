"""The worker's Faust app is configured by NEWSWATCH_* settings only and serves our pages only;
an engine failure's traceback reaches the log, a bounded number of times a minute.

tests/integration/test_worker_environment.py checks the configuration on a running worker.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import faust
import pytest
from faust.tables.recovery import Recovery
from faust.types import TP
from faust.types.enums import ProcessingGuarantee
from prometheus_client import CollectorRegistry

from newswatch.contracts import DeadLetter
from newswatch.kafka.connection import KafkaConnection
from newswatch.metrics import TaggerMetrics
from newswatch.settings import Settings
from newswatch.stories.recovery import SeekFirstRecovery
from newswatch.tagger.app import TRACEBACKS_PER_MINUTE, Tagger, configured_app
from newswatch.tagger.failure_log import FailureLogLimiter
from newswatch.tagger.reloading import EngineSlot
from newswatch.watchlist_topic.catalog import Catalog
from newswatch.watchlists import Engine

# Variables Faust reads on its own (unprefixed), each set to a value that would show.
FAUST_VARIABLES = {
    "WEB_PORT": "7777",
    "WEB_BIND": "203.0.113.9",
    "BROKER_URL": "kafka://127.0.0.1:1",
    "APP_DEBUG": "1",
    "PROCESSING_GUARANTEE": "exactly_once",
    "APP_WEB_STATS_ENABLED": "1",
    "APP_WEB_ROUTER_ENABLED": "1",
    "APP_WEB_TABLES_ENABLED": "1",
    "APP_WEB_GRAPH_ENABLED": "1",
    "APP_WEB_METRICS_ENABLED": "1",
}


def test_faust_ignores_its_own_environment_variables_and_serves_only_our_pages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in FAUST_VARIABLES.items():
        monkeypatch.setenv(name, value)
    settings = Settings(state_dir=tmp_path, kafka_bootstrap="127.0.0.1:9092", metrics_port=6100)
    app = configured_app(settings, KafkaConnection.from_settings(settings), CollectorRegistry())

    assert app.conf.web_port == 6100
    assert app.conf.web_bind == settings.metrics_host
    assert [str(url) for url in app.conf.broker] == ["kafka://127.0.0.1:9092"]
    assert str(app.conf.processing_guarantee) == str(ProcessingGuarantee.AT_LEAST_ONCE)
    assert not app.conf.debug

    @app.page("/healthz")  # as Tagger adds it
    async def healthz(self: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return self.json({})

    app.web.init_server()
    served = sorted(resource.canonical for resource in app.web.web_app.router.resources())  # type: ignore[attr-defined]
    assert served == ["/healthz", "/metrics"]


@pytest.fixture
def recovery(tmp_path: Path) -> SeekFirstRecovery:
    """The table recovery of a configured (not started) worker app."""
    settings = Settings(state_dir=tmp_path, kafka_bootstrap="127.0.0.1:9092", metrics_port=6101)
    app = configured_app(settings, KafkaConnection.from_settings(settings), CollectorRegistry())
    recovery = app.tables.recovery
    assert isinstance(recovery, SeekFirstRecovery)
    return recovery


def test_table_recovery_holds_the_flow_until_faust_has_seeked_the_stream_partitions(
    monkeypatch: pytest.MonkeyPatch, recovery: SeekFirstRecovery
) -> None:
    # Faust resumes the stream partitions, then seeks them, with the fetcher running: records
    # that flowed in between were cleared unhandled and committed past (newswatch.stories.recovery).
    app = recovery.app
    steps: list[tuple[str, bool]] = []

    async def faust_on_recovery_completed(self: Recovery, generation_id: int = 0) -> None:
        steps.append(("faust seeks and resumes", self.app.flow_control.is_active()))

    async def from_the_beginning(self: SeekFirstRecovery) -> None:
        steps.append(("never-committed partitions to their beginning", self.app.flow_control.is_active()))

    monkeypatch.setattr(Recovery, "on_recovery_completed", faust_on_recovery_completed)
    step = "_from_the_beginning_where_nothing_is_committed"
    monkeypatch.setattr(SeekFirstRecovery, step, from_the_beginning)
    app.flow_control.resume()  # as Faust's recovery leaves it after reading the changelog
    asyncio.run(recovery.on_recovery_completed(1))
    assert steps == [
        ("never-committed partitions to their beginning", False),
        ("faust seeks and resumes", False),
    ]


class FakeConsumer:
    """The four consumer calls the recovery step makes, over fixed offsets."""

    def __init__(self, committed: dict[TP, int | None], earliest: int) -> None:
        self.committed = committed
        self.earliest = earliest
        self.seeks: dict[TP, int] = {}

    def assignment(self) -> set[TP]:
        return set(self.committed)

    async def seek_to_committed(self) -> dict[TP, int | None]:
        return self.committed

    async def earliest_offsets(self, *partitions: TP) -> dict[TP, int]:
        return dict.fromkeys(partitions, self.earliest)

    async def seek(self, partition: TP, offset: int) -> None:
        self.seeks[partition] = offset


def test_after_recovery_a_partition_with_nothing_committed_is_read_from_its_beginning(
    monkeypatch: pytest.MonkeyPatch, recovery: SeekFirstRecovery
) -> None:
    app = recovery.app
    changelog = TP("nw-stories-changelog", 0)
    consumer = FakeConsumer(
        {
            TP("news.articles", 0): 42,
            TP("news.articles", 1): None,
            TP("news.articles", 2): 0,
            changelog: None,
        },
        earliest=7,
    )
    monkeypatch.setattr(type(app), "consumer", consumer)
    monkeypatch.setattr(recovery, "_is_changelog_tp", lambda tp: tp == changelog)
    asyncio.run(recovery._from_the_beginning_where_nothing_is_committed())
    # Committed partitions are left to Faust's own seek; changelogs to the recovery.
    assert consumer.seeks == {TP("news.articles", 1): 7, TP("news.articles", 2): 7}


class SentRecords:
    """Stands in for a Faust topic: keeps what `send` was given."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes | None, bytes]] = []

    async def send(self, *, key: bytes | None, value: bytes, **_: Any) -> None:
        self.sent.append((key, value))


def record(offset: int) -> Any:
    value = json.dumps({"id": f"a-{offset}", "title": "", "body": "Sanctions on North Korea."}).encode()
    message = SimpleNamespace(
        topic="news.articles",
        partition=3,
        offset=offset,
        key=f"a-{offset}".encode(),
        value=value,
        timestamp=0.0,
        tp=TP("news.articles", 3),
    )
    return SimpleNamespace(message=message)


@pytest.fixture
def failing_tagger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tagger:
    """A Tagger whose engine fails on every article, its topics replaced by `SentRecords`."""
    engine = Engine.default()

    def explode(*_: object, **__: object) -> list[object]:
        raise RuntimeError("boom in the matcher")

    monkeypatch.setattr(engine, "match", explode)
    settings = Settings(state_dir=tmp_path, kafka_bootstrap="127.0.0.1:9092")
    registry = CollectorRegistry()
    metrics = TaggerMetrics(registry, engine.watchlist_names)
    tagger = Tagger(
        settings,
        KafkaConnection.from_settings(settings),
        EngineSlot((engine, []), [], Catalog(), list, metrics),
        metrics,
        registry,
    )
    tagger.dead_letters = SentRecords()  # type: ignore[assignment]
    tagger.alerts = SentRecords()  # type: ignore[assignment]
    return tagger


async def test_an_engine_failure_logs_its_traceback_with_topic_partition_and_offset(
    failing_tagger: Tagger, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="newswatch.tagger.app"):
        await failing_tagger.handle(record(41))

    [(key, value)] = failing_tagger.dead_letters.sent  # type: ignore[attr-defined]
    dead_letter = DeadLetter.model_validate_json(value)
    assert key == b"a-41" and dead_letter.reason == "tagging_failed"
    # The dead letter names the exception only; the log has where it was raised.
    assert "Traceback" not in dead_letter.detail
    [logged] = caplog.records
    assert "news.articles partition 3 offset 41" in logged.getMessage()
    assert "news.articles.dlq" in logged.getMessage()
    assert "RuntimeError: boom in the matcher" in caplog.text
    assert "in explode" in caplog.text  # the frame that raised, from the traceback


async def test_a_flood_of_failures_logs_a_few_tracebacks_then_how_many_were_left_out(
    failing_tagger: Tagger, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    failing_tagger.tracebacks = FailureLogLimiter(
        TRACEBACKS_PER_MINUTE, window_seconds=60.0, clock=lambda: now[0]
    )
    flood = TRACEBACKS_PER_MINUTE + 25
    with caplog.at_level(logging.ERROR, logger="newswatch.tagger.app"):
        for offset in range(flood):
            await failing_tagger.handle(record(offset))
        await failing_tagger.report_suppressed_tracebacks()  # the window is still open
    # Every record is dead-lettered; only the log is bounded.
    assert len(failing_tagger.dead_letters.sent) == flood  # type: ignore[attr-defined]
    assert len(caplog.records) == TRACEBACKS_PER_MINUTE
    assert all(logged.exc_info for logged in caplog.records)

    caplog.clear()
    now[0] = 60.0
    with caplog.at_level(logging.ERROR, logger="newswatch.tagger.app"):
        await failing_tagger.report_suppressed_tracebacks()
    [summary] = caplog.records
    assert summary.getMessage().startswith(
        "tagging failed for 25 more records whose tracebacks were not logged"
    )
    assert not summary.exc_info
