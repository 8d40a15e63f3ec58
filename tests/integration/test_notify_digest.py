"""Digests of `newswatch notify` on the real broker: worker + notifier + a webhook receiver,
with a 20 s period (NEWSWATCH_NOTIFY_DIGEST_MIN_SECONDS lowered for the test).

The items of a period arrive in one POST after the period ends; a kill -9 of the notifier
after it took the items in and before the flush, and a restart, still deliver that
digest exactly once, with every item; a digest refused by its webhook lands whole on the
dead-letter topic.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newswatch.contracts import NotificationDeadLetter
from newswatch.tagger.process import WorkerProcess
from tests.helpers.kafka import kcat_read
from tests.helpers.notifier import (
    distinct_stories,
    replay,
    subscription,
    subscriptions_file,
    until,
)
from tests.helpers.receivers import HttpReceiver, Request, http_receiver, status
from tests.helpers.workers import StartWorker

pytestmark = [pytest.mark.integration, pytest.mark.stories]
PERIOD = 20


@pytest.fixture
def digest_env(notify_env: dict[str, str]) -> dict[str, str]:
    return {**notify_env, "NEWSWATCH_NOTIFY_DIGEST_MIN_SECONDS": "5"}


def with_digest(env: dict[str, str], tmp_path: Path, hook: HttpReceiver) -> dict[str, str]:
    path = subscriptions_file(tmp_path, subscription("desk", f"{hook.url}/hook", digest=f"{PERIOD}s"))
    return {**env, "NEWSWATCH_SUBSCRIPTIONS": str(path)}


async def period_just_started() -> float:
    """Wait until a period began a second ago (the replay then falls in one period); its end."""
    while not 1.0 <= time.time() % PERIOD <= 2.0:
        await asyncio.sleep(0.1)
    return (time.time() // PERIOD + 1) * PERIOD


def items(requests: list[Request]) -> list[str]:
    """The article ids of every story item of every digest POST, repeats kept."""
    return [
        alert["article_id"]
        for request in requests
        for item in json.loads(request.body)["items"]
        for alert in item["alerts"]
    ]


def pending_entries(bootstrap: str, topic: str) -> int:
    """The entries of the newest batch written to the digests changelog (0: none or sent)."""
    latest: dict[str, Any] = {}
    for key, value in kcat_read(bootstrap, topic):
        latest[json.loads(key)] = json.loads(value) if value else None
    batches = [v for k, v in latest.items() if k.count("/") == 2 and v is not None]
    return max((len(batch["entries"]) for batch in batches), default=0)


async def test_the_items_of_a_period_arrive_in_one_post_after_it_ends(
    digest_env: dict[str, str],
    start_worker: StartWorker,
    start_notifier: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    articles = distinct_stories(3, seed=11)
    async with http_receiver() as hook:
        env = with_digest(digest_env, tmp_path, hook)
        await asyncio.to_thread(start_worker, env)
        await asyncio.to_thread(start_notifier, env)
        end = await period_just_started()
        await replay(env, tmp_path, articles)
        await until(lambda: len(items(hook.requests)) >= 3, 90, "a digest with the 3 stories")
        await asyncio.sleep(5)  # a repeat would arrive by now (the timer looks every 2 s)

    (post,) = hook.requests
    body = json.loads(post.body)
    assert post.headers["X-Newswatch-Event"] == "digest"
    assert post.headers["Idempotency-Key"] == body["digest"]["digest_id"]
    assert sorted(items([post])) == sorted(article["id"] for article in articles)
    assert (body["digest"]["subscription"], body["digest"]["stories"], body["digest"]["left_out"]) == (
        "desk",
        3,
        0,
    )
    assert post.at >= end, "sent only after the period ended"
    print(f"digest of 3 stories {post.at - end:.1f} s after its period ended")


async def test_kill_9_before_the_flush_delivers_the_digest_once_after_the_restart(
    digest_env: dict[str, str],
    start_worker: StartWorker,
    start_notifier: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    articles = distinct_stories(5, seed=12)
    bootstrap = digest_env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    changelog = f"{digest_env['NEWSWATCH_APP_ID']}-notify-digests-changelog"
    async with http_receiver() as hook:
        env = with_digest(digest_env, tmp_path, hook)
        await asyncio.to_thread(start_worker, env)
        first = await asyncio.to_thread(start_notifier, env)
        end = await period_just_started()
        await replay(env, tmp_path, articles)
        await until(
            lambda: pending_entries(bootstrap, changelog) == 5,
            60,
            "the 5 stories pending in the digests table",
        )
        await asyncio.sleep(1)
        assert time.time() < end and hook.requests == [], "the kill must come before the flush"
        first.process.kill()  # SIGKILL: no commit, no flush
        first.process.wait()
        killed_at = time.time()
        await asyncio.to_thread(start_notifier, env)
        await until(lambda: len(items(hook.requests)) >= 5, 90, "the digest after the restart")
        await asyncio.sleep(PERIOD + 3)  # the next period's digest (a repeat) would arrive by now

    keys = [request.headers["Idempotency-Key"] for request in hook.requests]
    assert len(hook.requests) == 1, f"{len(hook.requests)} digests: {keys}"
    assert sorted(items(hook.requests)) == sorted(article["id"] for article in articles)
    print(
        f"kill -9 {end - killed_at:.1f} s before the period's end with 5 stories pending: "
        f"{len(hook.requests)} digest POST(s), ids {keys}, {len(items(hook.requests))} items"
    )


async def test_a_digest_its_webhook_refuses_lands_whole_on_the_dead_letter_topic(
    digest_env: dict[str, str],
    start_worker: StartWorker,
    start_notifier: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    articles = distinct_stories(2, seed=13)
    bootstrap = digest_env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    dlq_topic = digest_env["NEWSWATCH_NOTIFICATIONS_DLQ_TOPIC"]
    async with http_receiver(status(422)) as hook:  # 4xx: refused, not retried
        env = with_digest(digest_env, tmp_path, hook)
        await asyncio.to_thread(start_worker, env)
        await asyncio.to_thread(start_notifier, env)
        await period_just_started()
        await replay(env, tmp_path, articles)
        await until(lambda: len(kcat_read(bootstrap, dlq_topic)) >= 1, 90, "the digest's dead letter")
        await asyncio.sleep(5)  # a second letter or POST would arrive by now

    ((key, value),) = kcat_read(bootstrap, dlq_topic)
    letter = NotificationDeadLetter.model_validate_json(value)
    (post,) = hook.requests
    assert (letter.kind, letter.final, letter.subscription) == ("digest", "refused", "desk")
    assert key == letter.notification_id == post.headers["Idempotency-Key"]
    assert "422" in letter.reason
    assert letter.digest is not None and letter.digest == json.loads(post.body), "the whole digest is kept"
    assert sorted(items([post])) == sorted(article["id"] for article in articles)
