"""What the notifier's integration tests share: a subscriptions file for the real
receivers, a replay of the stories pipeline's articles, and waiting for what they see."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from newswatch.kafka.admin import delete_topics, partitions_of
from newswatch.kafka.connection import KafkaConnection
from newswatch.tagger.process import WorkerProcess
from tests.helpers.environment import free_port, run_newswatch
from tests.helpers.receivers import HttpReceiver, SmtpReceiver
from tests.helpers.workers import launch_notifier

SECRET = "correct-horse-battery"
# sanctions: the wire story (orig-1 + 2 copies) and other-1: two stories.
STORIES = {"wire", "other-1"}
WIRE = {"orig-1", "copy-a", "copy-b"}


def story_of(article_id: str) -> str:
    return "wire" if article_id in WIRE else article_id


def distinct_stories(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """`count` sanctions articles that are no copies of each other: each its own story."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ra", "te", "zu", "vo", "ne", "shi", "pa", "dor", "len", "tus", "bri"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(3))

    articles = []
    for number in range(count):
        name = word().capitalize()
        words = " ".join(word() for _ in range(60))
        body = (
            f"The Treasury imposed sanctions on {name} Holdings. {words}. The asset freeze covers {word()}."
        )
        articles.append(
            {
                "id": f"story-{number}",
                "title": f"Sanctions on {name} Holdings",
                "body": body,
                "source": "Wire",
            }
        )
    return articles


def subscription(
    name: str, *to: str, watchlists: list[str] | None = None, **keys: object
) -> dict[str, object]:
    """One entry of a subscriptions file (sanctions only unless `watchlists` says otherwise)."""
    return {"name": name, "watchlists": watchlists or ["sanctions"], "to": list(to), **keys}


def subscriptions_file(tmp_path: Path, *entries: dict[str, object], name: str = "subscriptions.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"subscriptions": list(entries)}, sort_keys=False), encoding="utf-8")
    return path


def articles_file(tmp_path: Path, articles: list[dict[str, Any]]) -> Path:
    path = tmp_path / f"articles-{time.monotonic_ns()}.jsonl"
    path.write_text("".join(json.dumps(article) + "\n" for article in articles), encoding="utf-8")
    return path


def smtp_env(smtp: SmtpReceiver) -> dict[str, str]:
    return {
        "NEWSWATCH_SMTP_HOST": "127.0.0.1",
        "NEWSWATCH_SMTP_PORT": str(smtp.port),
        "NEWSWATCH_SMTP_SECURITY": "none",
        "NEWSWATCH_SMTP_FROM": "newswatch@example.org",
    }


def with_subscriptions(
    env: dict[str, str], tmp_path: Path, hook: HttpReceiver, bad: HttpReceiver, smtp: SmtpReceiver
) -> dict[str, str]:
    """desk: a signed webhook; mail: email; broken: a webhook with a token in its URL."""
    path = subscriptions_file(
        tmp_path,
        subscription("desk", f"{hook.url}/hook", secret=SECRET),
        subscription("mail", "mailto:desk@example.org"),
        subscription("broken", f"{bad.url}/hook?token=TOPSECRET"),
    )
    return {**env, "NEWSWATCH_SUBSCRIPTIONS": str(path), **smtp_env(smtp)}


async def replay(env: dict[str, str], tmp_path: Path, articles: list[dict[str, Any]]) -> None:
    path = articles_file(tmp_path, articles)
    result = await asyncio.to_thread(run_newswatch, env, "replay", str(path))
    assert result.returncode == 0, result.stderr


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.2)


async def timed_records(bootstrap: str, topic: str) -> list[tuple[int, int, float, dict[str, Any]]]:
    """Every record now on `topic`: (partition, offset, Kafka timestamp in Unix seconds, JSON value)."""
    known = await partitions_of(KafkaConnection.plaintext(bootstrap), [topic])
    partitions = [TopicPartition(topic, p) for p in known[topic]]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records = []
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records += [
                    (r.partition, r.offset, r.timestamp / 1000, json.loads(r.value or b"")) for r in batch
                ]
        return records
    finally:
        await consumer.stop()


async def committed(bootstrap: str, group: str) -> dict[tuple[str, int], int]:
    """The offsets `group` has committed: (topic, partition) -> the next offset it will read."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()}


def keys_by_story(hook: HttpReceiver) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = defaultdict(set)
    for request in hook.requests:
        keys[story_of(json.loads(request.body)["article_id"])].add(request.headers["Idempotency-Key"])
    return keys


def notify_environment(pipeline_env: dict[str, str]) -> dict[str, str]:
    """The pipeline's settings with the notifier's own dead-letter topic, port and short retries."""
    name = pipeline_env["NEWSWATCH_APP_ID"]
    return {
        **pipeline_env,
        "NEWSWATCH_NOTIFICATIONS_DLQ_TOPIC": f"{name}.notifications.dlq",
        "NEWSWATCH_NOTIFY_METRICS_PORT": str(free_port()),
        "NEWSWATCH_NOTIFY_RETRY_SECONDS": "2",
        "NEWSWATCH_NOTIFY_RETRY_BASE_SECONDS": "0.2",
    }


def delete_notify_topics(env: dict[str, str]) -> None:
    """The topics a test's notifier made: dead letters, the internal digest topic, changelogs."""
    name = env["NEWSWATCH_APP_ID"]
    topics = [
        f"{name}.notifications.dlq",
        f"{name}-notify-sent-changelog",
        f"{name}-notify-digest-entries",
        f"{name}-notify-digests-changelog",
    ]
    asyncio.run(delete_topics(KafkaConnection.plaintext(env["NEWSWATCH_KAFKA_BOOTSTRAP"]), topics))


@contextmanager
def notifiers(log: Path) -> Iterator[Callable[[dict[str, str]], WorkerProcess]]:
    """`start(env)` launches a notifier (all logging to `log`); every one is stopped after."""
    started: list[WorkerProcess] = []

    def start(env: dict[str, str]) -> WorkerProcess:
        notifier = launch_notifier(env, log, append=bool(started))
        started.append(notifier)
        return notifier

    try:
        yield start
    finally:
        for notifier in started:
            notifier.stop()
