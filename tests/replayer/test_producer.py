"""The replayer without a broker: what it sends, how it paces, and how it counts every outcome.

A stand-in producer takes the place of aiokafka's; it acknowledges records or fails
them as each test says, so retries and the report can be checked record by record.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiokafka.errors import KafkaError, MessageSizeTooLargeError, RequestTimedOutError

from newswatch.contracts import Article
from newswatch.kafka.connection import KafkaConnection
from newswatch.replayer import producer as producer_module
from newswatch.replayer.producer import ReplayOptions, ReplayReport, _paced, replay

CONNECTION = KafkaConnection.plaintext("127.0.0.1:1")  # never dialled: the producer is a stand-in


class StandInProducer:
    """Records every send; `failures[article id]` lists the errors its attempts get, in order."""

    failures: ClassVar[dict[str, list[KafkaError]]] = {}
    last: ClassVar[StandInProducer]

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.sent: list[tuple[str, bytes, bytes]] = []
        StandInProducer.last = self

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, topic: str, value: bytes, key: bytes) -> asyncio.Future[Any]:
        self.sent.append((topic, key, value))
        delivery = asyncio.get_running_loop().create_future()
        pending = self.failures.get(key.decode(), [])
        if pending:
            delivery.set_exception(pending.pop(0))
        else:
            delivery.set_result(None)
        return delivery


@pytest.fixture(autouse=True)
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(producer_module, "AIOKafkaProducer", StandInProducer)
    monkeypatch.setattr(producer_module, "_RETRY_BACKOFF_S", 0.0)
    StandInProducer.failures = {}


def feed(tmp_path: Path, *ids: str) -> Path:
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps({"id": i, "title": f"t {i}", "body": "b"}) + "\n" for i in ids))
    return path


async def run(paths: list[Path], options: ReplayOptions | None = None) -> ReplayReport:
    return await replay(paths, CONNECTION, "articles", options or ReplayOptions(), errors=io.StringIO())


async def test_each_article_is_one_record_keyed_by_id_with_its_json_and_acks_from_all(tmp_path: Path) -> None:
    report = await run([feed(tmp_path, "a", "b")])
    assert report.delivered == 2 and report.ok
    sent, kwargs = StandInProducer.last.sent, StandInProducer.last.kwargs
    assert [(topic, key) for topic, key, _ in sent] == [("articles", b"a"), ("articles", b"b")]
    assert Article.model_validate_json(sent[0][2]).title == "t a"
    assert (kwargs["acks"], kwargs["enable_idempotence"]) == ("all", True)


async def test_loop_repeats_the_articles_until_the_limit(tmp_path: Path) -> None:
    report = await run([feed(tmp_path, "a", "b")], ReplayOptions(loop=True, limit=5))
    assert report.delivered == 5
    assert [key for _, key, _ in StandInProducer.last.sent] == [b"a", b"b", b"a", b"b", b"a"]


async def test_a_retriable_failure_is_retried_and_then_delivered(tmp_path: Path) -> None:
    StandInProducer.failures = {"b": [RequestTimedOutError(), RequestTimedOutError()]}
    report = await run([feed(tmp_path, "a", "b")])
    assert report.delivered == 2 and report.ok
    assert [key for _, key, _ in StandInProducer.last.sent] == [b"a", b"b", b"b", b"b"]


async def test_records_that_stay_unacknowledged_are_counted_with_their_reason(tmp_path: Path) -> None:
    StandInProducer.failures = {"a": [RequestTimedOutError()] * 3, "b": [MessageSizeTooLargeError()]}
    report = await run([feed(tmp_path, "a", "b", "c")])
    assert report.delivered == 1 and not report.ok
    assert [(article_id, reason.split(":")[0]) for article_id, reason in report.undelivered] == [
        ("a", "RequestTimedOutError"),
        ("b", "MessageSizeTooLargeError"),  # not retriable: one attempt only
    ]


async def test_unreadable_inputs_are_reported_and_the_rest_is_sent(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    report = await run([missing, feed(tmp_path, "a")])
    assert report.delivered == 1
    assert [problem.path for problem in report.skipped_inputs] == [missing]


def test_pacing_spreads_articles_at_the_rate_and_sends_at_once_without_one() -> None:
    articles = [Article(id=str(n), title="", body="b") for n in range(3)]
    times = [send_at for _, send_at in _paced(articles, rate=10.0)]
    assert [round(t - times[0], 6) for t in times] == [0.0, 0.1, 0.2]
    assert [send_at for _, send_at in _paced(articles, rate=None)] == [0.0, 0.0, 0.0]
