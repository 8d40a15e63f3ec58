"""The bad-input catalogue (bad_records.py) against one real worker on the real broker.

Each case is sent with a raw producer between two good articles, to partition 0 so that
their order is kept. A bad record must land on the dead-letter topic with its reason, a
detail that says what is wrong and its original bytes; a valid one must be tagged; both
neighbours must be alerted; the worker must stay up and log no traceback. A last test
compares the worker's metrics with the whole runner.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, get_args

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from newswatch.contracts import DeadLetterReason, alert_id_for
from newswatch.kafka.admin import ensure_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.tagger.process import WorkerProcess
from newswatch.tagger.records import DEAD_LETTER_KEY_BYTES, DEAD_LETTER_VALUE_BYTES
from tests.helpers.environment import free_port
from tests.helpers.kafka import kcat_read
from tests.helpers.workers import launch_worker
from tests.integration.bad_records import (
    ALERTING_WATCHLISTS,
    BODY,
    CASES,
    MAX_ARTICLE_BYTES,
    TITLE,
    Case,
    DeadLettered,
)

pytestmark = pytest.mark.integration

# The articles topic of this module takes records far over the worker's limit.
TOPIC_MAX_MESSAGE_BYTES = 8 * 2**20
T = TypeVar("T")


@pytest.fixture(scope="module")
def module_env(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """NEWSWATCH_* variables for this module's one worker: its own topics, group, port and state."""
    name = f"t-bad-input-{uuid.uuid4().hex[:8]}"
    env = {
        "NEWSWATCH_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "NEWSWATCH_ARTICLES_TOPIC": f"{name}.articles",
        "NEWSWATCH_ALERTS_TOPIC": f"{name}.alerts",
        "NEWSWATCH_DEAD_LETTER_TOPIC": f"{name}.articles.dlq",
        "NEWSWATCH_APP_ID": name,
        "NEWSWATCH_METRICS_PORT": str(free_port()),
        "NEWSWATCH_STATE_DIR": str(tmp_path_factory.mktemp("bad-input") / "state"),
    }
    settings = Settings.model_validate(
        {key.removeprefix("NEWSWATCH_").lower(): value for key, value in env.items()}
    )
    assert settings.max_article_bytes == MAX_ARTICLE_BYTES, "the catalogue assumes the default limit"
    asyncio.run(_create_topics(KafkaConnection.plaintext(kafka_bootstrap), settings))
    return env


async def _create_topics(connection: KafkaConnection, settings: Settings) -> None:
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
    await admin.start()
    try:
        big = {"max.message.bytes": str(TOPIC_MAX_MESSAGE_BYTES)}
        await admin.create_topics([NewTopic(settings.articles_topic, 4, 1, topic_configs=big)])
    finally:
        await admin.close()
    # Creates the other two and waits for leaders; the articles topic is left as created.
    await ensure_topics(connection, settings.topics, partitions=4, replication_factor=1)


@pytest.fixture(scope="module")
def worker(module_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    """One `newswatch worker` process for the whole module (as `start_worker` does per test)."""
    running = launch_worker(module_env, tmp_path_factory.mktemp("bad-input-worker") / "worker.log")
    try:
        yield running
    finally:
        running.stop()


@dataclass(frozen=True)
class Sent:
    """One case on the articles topic: the bad record's offset and its good neighbours' ids."""

    case: Case
    value: bytes | None
    offset: int
    neighbours: tuple[str, str]
    log_start: int


class CaseRunner:
    """Sends each case once (whichever test asks first) and reads what the worker made of it."""

    def __init__(self, env: dict[str, str], worker: WorkerProcess) -> None:
        self.env = env
        self.worker = worker
        self.bootstrap = env["NEWSWATCH_KAFKA_BOOTSTRAP"]
        self.articles_topic = env["NEWSWATCH_ARTICLES_TOPIC"]
        self.sent: dict[str, Sent] = {}

    def send(self, case: Case) -> Sent:
        if case.name not in self.sent:
            value = case.raw_value()
            neighbours = (f"{case.name}~before", f"{case.name}~after")
            log_start = self.worker.log.stat().st_size
            offsets = produce_in_order(
                self.bootstrap,
                self.articles_topic,
                [_good(neighbours[0]), (case.key, value), _good(neighbours[1])],
            )
            self.sent[case.name] = Sent(case, value, offsets[1], neighbours, log_start)
        return self.sent[case.name]

    def alerts(self) -> list[dict[str, Any]]:
        return [
            json.loads(value) for _, value in kcat_read(self.bootstrap, self.env["NEWSWATCH_ALERTS_TOPIC"])
        ]

    def dead_letters(self) -> list[tuple[str, dict[str, Any]]]:
        records = kcat_read(self.bootstrap, self.env["NEWSWATCH_DEAD_LETTER_TOPIC"])
        return [(key, json.loads(value)) for key, value in records]

    def dead_letter_of(self, sent: Sent) -> tuple[str, dict[str, Any]] | None:
        for key, letter in self.dead_letters():
            if (letter["topic"], letter["partition"], letter["offset"]) == (
                self.articles_topic,
                0,
                sent.offset,
            ):
                return key, letter
        return None

    def log_since(self, sent: Sent) -> str:
        with self.worker.log.open("rb") as log:
            log.seek(sent.log_start)
            return log.read().decode(errors="replace")


@pytest.fixture(scope="module")
def runner(module_env: dict[str, str], worker: WorkerProcess) -> CaseRunner:
    return CaseRunner(module_env, worker)


def produce_in_order(
    bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes | None]]
) -> list[int]:
    """Send records byte for byte to partition 0, in order; return their offsets."""

    async def send() -> list[int]:
        producer = AIOKafkaProducer(
            **KafkaConnection.plaintext(bootstrap).client_kwargs(),
            acks="all",
            max_request_size=TOPIC_MAX_MESSAGE_BYTES,
        )
        await producer.start()
        try:
            return [
                (await producer.send_and_wait(topic, value=value, key=key, partition=0)).offset
                for key, value in records
            ]
        finally:
            await producer.stop()

    return asyncio.run(send())


def _good(article_id: str) -> tuple[bytes, bytes]:
    return article_id.encode(), json.dumps({"id": article_id, "title": TITLE, "body": BODY}).encode()


def poll(read: Callable[[], T], done: Callable[[T], bool], what: str, timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        found = read()
        if done(found):
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"within {timeout:.0f} s: {what}")
        time.sleep(0.1)


def alerted_watchlists(alerts: list[dict[str, Any]], article_id: str, title: str = TITLE) -> set[str]:
    return {a["watchlist"] for a in alerts if a["article_id"] == article_id and a["title"] == title}


def wait_for_alerts(runner: CaseRunner, sent: Sent, *also: tuple[str, str]) -> list[dict[str, Any]]:
    """Both good articles around the case (and the articles `also`, as (id, title)) alerted."""
    wanted = [(name, TITLE) for name in sent.neighbours] + list(also)
    return poll(
        runner.alerts,
        lambda alerts: all(alerted_watchlists(alerts, *article) >= ALERTING_WATCHLISTS for article in wanted),
        f"{', '.join(name for name, _ in wanted)} alerted {sorted(ALERTING_WATCHLISTS)}",
    )


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in CASES])
def test_bad_record_is_dead_lettered_or_processed_and_its_neighbours_alerted(
    runner: CaseRunner, case: Case
) -> None:
    sent = runner.send(case)
    if isinstance(case.expect, DeadLettered):
        check_dead_letter(runner, sent, case.expect)
        wait_for_alerts(runner, sent)
    else:
        check_processed(runner, sent, should_alert=case.expect.alerts)
    assert runner.worker.process.poll() is None, "the worker must survive bad input"
    log = runner.log_since(sent)
    assert "Traceback" not in log, f"the worker logged a traceback for {case.name}:\n{log[-3000:]}"


def check_dead_letter(runner: CaseRunner, sent: Sent, expect: DeadLettered) -> None:
    found = poll(
        lambda: runner.dead_letter_of(sent),
        lambda found: found is not None,
        f"a dead letter for {sent.case.name} (offset {sent.offset}) on the dead-letter topic",
    )
    assert found is not None
    key, letter = found
    value = sent.value or b""
    assert letter["reason"] == expect.reason, letter["detail"]
    assert expect.detail_phrase in letter["detail"]
    assert len(letter["detail"]) < 4096, "a detail is for a person to read"
    original_key = sent.case.key
    kept_key = None if original_key is None else original_key[:DEAD_LETTER_KEY_BYTES]
    assert key == (kept_key or b"").decode(), "a dead letter keeps the record's key (a large one by its head)"
    assert letter["key_base64"] == (None if kept_key is None else base64.b64encode(kept_key).decode())
    assert letter["key_truncated"] is (original_key is not None and len(original_key) > DEAD_LETTER_KEY_BYTES)
    assert letter["value_size"] == len(value)
    assert letter["value_sha256"] == hashlib.sha256(value).hexdigest()
    kept = base64.b64decode(letter["value_base64"])
    if len(value) > DEAD_LETTER_VALUE_BYTES:
        assert letter["value_truncated"] is True
        assert kept == value[:DEAD_LETTER_VALUE_BYTES], "a large value is kept by its head"
    else:
        assert letter["value_truncated"] is False
        assert kept == value, "a dead letter keeps the original bytes"
    if expect.reason == "too_large":
        assert f"the limit is {MAX_ARTICLE_BYTES:,}" in letter["detail"]


def check_processed(runner: CaseRunner, sent: Sent, *, should_alert: bool) -> None:
    # Parsed as the worker parses it (for duplicate keys, the last one wins).
    article = json.loads(sent.value or b"")
    article_id, title = article["id"], article.get("title", "")
    if should_alert:
        alerts = wait_for_alerts(runner, sent, (article_id, title))
    else:
        # The worker handles partition 0 in order: once the next article alerted, this one is done.
        alerts = wait_for_alerts(runner, sent)
    mine = [a for a in alerts if a["article_id"] == article_id and a["title"] == title]
    if not should_alert:
        assert mine == [], f"{sent.case.name} should not alert: {mine}"
    for alert in mine:
        assert alert["alert_id"] == alert_id_for(article_id, alert["watchlist"])
        for item in alert["evidence"]:
            source = title if item["field"] == "title" else article["body"]
            assert source[item["start"] : item["end"]] == item["text"], (
                "evidence offsets index the original text"
            )
    assert runner.dead_letter_of(sent) is None, f"a valid record was dead-lettered: {sent.case.name}"


def test_metrics_count_every_record_and_each_dead_letter_by_reason(runner: CaseRunner) -> None:
    # Sends whatever the per-case tests have not sent yet, so the order of tests does not matter.
    for case in CASES:
        runner.send(case)
    sent_records = 3 * len(CASES)
    samples = poll(
        runner.worker.samples,
        lambda found: found.get(("newswatch_articles_consumed_total", ()), 0) >= sent_records,
        f"newswatch_articles_consumed_total to reach {sent_records}",
        timeout=90,
    )
    assert samples[("newswatch_articles_consumed_total", ())] == sent_records
    for reason in get_args(DeadLetterReason):
        expected = sum(
            1 for case in CASES if isinstance(case.expect, DeadLettered) and case.expect.reason == reason
        )
        counted = samples.get(("newswatch_dead_letters_total", (("reason", reason),)), 0)
        assert counted == expected, f"dead letters with reason {reason}"

    emitted = sum(value for (name, _), value in samples.items() if name == "newswatch_alerts_emitted_total")
    alerts = poll(runner.alerts, lambda found: len(found) >= emitted, f"{emitted:.0f} alerts on the topic")
    assert len(alerts) == emitted
    silent = {
        json.loads(runner.sent[case.name].value or b"")["id"]
        for case in CASES
        if not isinstance(case.expect, DeadLettered) and not case.expect.alerts
    }
    assert not [a for a in alerts if a["article_id"] in silent], "articles with nothing to match never alert"
    dead_letter_cases = sum(1 for case in CASES if isinstance(case.expect, DeadLettered))
    assert len(runner.dead_letters()) == dead_letter_cases, "one dead letter per bad record, no more"
