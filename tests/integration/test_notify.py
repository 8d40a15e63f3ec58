"""`newswatch notify run` end to end on the real broker, with real receivers on loopback:
worker + notifier + a replay of an original, two copies of it and another story.

A webhook subscription (signed) gets one notification per story, an email subscription
gets the emails, a destination that answers 400 lands on the notifications dead-letter
topic with its token masked, and a kill -9 of the notifier mid-stream loses nothing and
never shows a receiver two keys for one story.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswatch.kafka.admin import delete_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.notify.render import verify_signature
from newswatch.tagger.process import WorkerProcess
from tests.helpers.environment import free_port, run_newswatch
from tests.helpers.kafka import kcat_read
from tests.helpers.receivers import HttpReceiver, SmtpReceiver, http_receiver, smtp_receiver, status
from tests.helpers.workers import StartWorker, launch_notifier
from tests.integration.test_stories_pipeline import ARTICLES

pytestmark = [pytest.mark.integration, pytest.mark.stories]

SECRET = "correct-horse-battery"
# sanctions: the wire story (orig-1 + 2 copies) and other-1: two stories.
STORIES = {"wire", "other-1"}
WIRE = {"orig-1", "copy-a", "copy-b"}


def story_of(article_id: str) -> str:
    return "wire" if article_id in WIRE else article_id


@pytest.fixture
def notify_env(pipeline_env: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    name = pipeline_env["NEWSWATCH_APP_ID"]
    env = {
        **pipeline_env,
        "NEWSWATCH_NOTIFICATIONS_DLQ_TOPIC": f"{name}.notifications.dlq",
        "NEWSWATCH_NOTIFY_METRICS_PORT": str(free_port()),
        "NEWSWATCH_NOTIFY_RETRY_SECONDS": "2",
        "NEWSWATCH_NOTIFY_RETRY_BASE_SECONDS": "0.2",
    }
    yield env
    connection = KafkaConnection.plaintext(env["NEWSWATCH_KAFKA_BOOTSTRAP"])
    asyncio.run(delete_topics(connection, [f"{name}.notifications.dlq", f"{name}-notify-sent-changelog"]))


@pytest.fixture
def start_notifier(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(env: dict[str, str]) -> WorkerProcess:
        notifier = launch_notifier(env, tmp_path / "notifier.log", append=bool(started))
        started.append(notifier)
        return notifier

    yield start
    for notifier in started:
        notifier.stop()


def with_subscriptions(
    env: dict[str, str], tmp_path: Path, hook: HttpReceiver, bad: HttpReceiver, smtp: SmtpReceiver
) -> dict[str, str]:
    path = tmp_path / "subscriptions.yaml"
    path.write_text(
        f"""subscriptions:
  - name: desk
    watchlists: [sanctions]
    to: ["{hook.url}/hook"]
    secret: {SECRET}
  - name: mail
    watchlists: [sanctions]
    to: ["mailto:desk@example.org"]
  - name: broken
    watchlists: [sanctions]
    to: ["{bad.url}/hook?token=TOPSECRET"]
""",
        encoding="utf-8",
    )
    return {
        **env,
        "NEWSWATCH_SUBSCRIPTIONS": str(path),
        "NEWSWATCH_SMTP_HOST": "127.0.0.1",
        "NEWSWATCH_SMTP_PORT": str(smtp.port),
        "NEWSWATCH_SMTP_SECURITY": "none",
        "NEWSWATCH_SMTP_FROM": "newswatch@example.org",
    }


async def replay(env: dict[str, str], tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps(article) + "\n" for article in ARTICLES), encoding="utf-8")
    result = await asyncio.to_thread(run_newswatch, env, "replay", str(articles))
    assert result.returncode == 0, result.stderr


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.2)


def keys_by_story(hook: HttpReceiver) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = defaultdict(set)
    for request in hook.requests:
        keys[story_of(json.loads(request.body)["article_id"])].add(request.headers["Idempotency-Key"])
    return keys


async def test_one_notification_per_story_signed_emailed_and_dead_lettered(
    notify_env: dict[str, str],
    start_worker: StartWorker,
    start_notifier: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    async with http_receiver() as hook, http_receiver(status(400)) as bad:
        with smtp_receiver() as smtp:
            env = with_subscriptions(notify_env, tmp_path, hook, bad, smtp)
            await asyncio.to_thread(start_worker, env)
            notifier = await asyncio.to_thread(start_notifier, env)
            await replay(env, tmp_path)
            await until(
                lambda: len(hook.requests) >= 2 and len(smtp.messages) >= 2, 90, "2 webhooks, 2 emails"
            )
            dlq_topic = env["NEWSWATCH_NOTIFICATIONS_DLQ_TOPIC"]
            bootstrap = env["NEWSWATCH_KAFKA_BOOTSTRAP"]
            await until(lambda: len(kcat_read(bootstrap, dlq_topic)) >= 2, 60, "2 dead letters")
            await asyncio.sleep(3)  # anything more (a copy notified, a repeat) would arrive by now

            assert len(hook.requests) == 2, [r.body[:80] for r in hook.requests]
            assert {story: len(keys) for story, keys in keys_by_story(hook).items()} == dict.fromkeys(
                STORIES, 1
            )
            for request in hook.requests:
                assert request.headers["Content-Type"] == "application/json"
                assert verify_signature(
                    request.body,
                    request.headers["X-Newswatch-Timestamp"],
                    request.headers["X-Newswatch-Signature"],
                    SECRET.encode(),
                    now=datetime.now(UTC),
                )
            assert len(smtp.messages) == 2
            assert all(m["Subject"].startswith("[sanctions] ") for m in smtp.messages)

            letters = [json.loads(value) for _, value in kcat_read(bootstrap, dlq_topic)]
            assert len(letters) == 2 and {letter["subscription"] for letter in letters} == {"broken"}
            for letter in letters:
                assert "TOPSECRET" not in json.dumps(letter)
                assert letter["destination"].endswith("/hook?token=****")
                assert (letter["final"], letter["channel"]) == ("refused", "webhook")
                assert "400" in letter["reason"]
            assert len(bad.requests) == 2, "a 400 is not retried"

            samples = notifier.samples()
            sent = {
                dict(labels)["subscription"]: value
                for (name, labels), value in samples.items()
                if name == "newswatch_notifications_sent_total"
            }
            assert sent == {"desk": 2, "mail": 2, "broken": 0}
            dead = samples[
                (
                    "newswatch_notifications_dead_lettered_total",
                    (("channel", "webhook"), ("subscription", "broken")),
                )
            ]
            assert dead == 2
            count = samples[("newswatch_notification_delivery_seconds_count", ())]
            total = samples[("newswatch_notification_delivery_seconds_sum", ())]
            assert count == 4
            print(f"delivery latency (record -> delivered): mean {total / count:.3f} s over {count:.0f}")


async def test_kill_9_of_the_notifier_loses_nothing_and_repeats_only_with_the_same_key(
    notify_env: dict[str, str],
    start_worker: StartWorker,
    start_notifier: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    async with http_receiver() as hook, http_receiver(status(400)) as bad:
        with smtp_receiver() as smtp:
            env = with_subscriptions(notify_env, tmp_path, hook, bad, smtp)
            await asyncio.to_thread(start_worker, env)
            first = await asyncio.to_thread(start_notifier, env)
            await replay(env, tmp_path)
            await until(lambda: len(hook.requests) >= 1, 90, "the first webhook")
            first.process.kill()  # SIGKILL: no commit, no flush
            first.process.wait()
            delivered_before = len(hook.requests)
            await asyncio.to_thread(start_notifier, env)
            await until(
                lambda: (
                    set(keys_by_story(hook)) == STORIES and len({m["Message-ID"] for m in smtp.messages}) == 2
                ),
                90,
                "every story at the webhook and both emails after the restart",
            )
            await asyncio.sleep(5)

            keys = keys_by_story(hook)
            assert {story: len(k) for story, k in keys.items()} == dict.fromkeys(STORIES, 1), keys
            repeats = len(hook.requests) - len(STORIES)
            email_ids = Counter(m["Message-ID"] for m in smtp.messages)
            assert len(email_ids) == 2
            print(
                f"kill -9 after {delivered_before} webhook delivery(ies): "
                f"webhook {len(hook.requests)} requests "
                f"for {len(STORIES)} stories ({repeats} repeated, same key), emails {len(smtp.messages)} "
                f"for 2 ids ({len(smtp.messages) - 2} repeated, same Message-ID)"
            )
