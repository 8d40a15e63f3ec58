"""A notifier killed before its group committed anything, and the one that replaces it.

With nothing committed, the next notifier must read its partitions from the beginning
(`consumer_auto_offset_reset="earliest"`). Faust's seek after table recovery moves only
the partitions that have a committed offset; in full test runs on a loaded machine (where
the first commit comes after the kill) the replacement once read nothing at all, 0
messages in 120 s. `stories.recovery` now seeks the others to their beginning. This test
holds half the stories unanswered so that some alerts partitions have nothing committed
while `sent` has rows to recover; it passes without the fix when run alone, like the
kill -9 test in test_notify.py did: it keeps the scenario covered, it does not force the
race.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web

from newswatch.tagger.process import WorkerProcess
from tests.helpers.notifier import (
    committed,
    distinct_stories,
    replay,
    subscription,
    subscriptions_file,
    until,
)
from tests.helpers.receivers import Request, http_receiver
from tests.helpers.workers import StartWorker

pytestmark = [pytest.mark.integration, pytest.mark.stories]
STORIES = 8


def stories_at(requests: list[Request]) -> set[str]:
    return {json.loads(request.body)["article_id"] for request in requests}


async def test_a_notifier_killed_before_any_commit_is_replaced_by_one_that_reads_everything(
    notify_env: dict[str, str],
    start_worker: StartWorker,
    start_notifier: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    articles = distinct_stories(STORIES, seed=21)
    expected = {article["id"] for article in articles}
    held = {article["id"] for article in articles[: STORIES // 2]}
    bootstrap = notify_env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    group = f"{notify_env['NEWSWATCH_APP_ID']}-notify"
    gate = asyncio.Event()

    async def answer(count: int) -> web.StreamResponse:
        # The first half of the stories hang until the gate opens: their records, and every
        # later record of their partitions, stay unacknowledged, so those partitions have
        # nothing committed; the other half are delivered and recorded in `sent`, so the
        # next notifier has a table to recover before it reads.
        if json.loads(hook.requests[count - 1].body)["article_id"] in held:
            await gate.wait()
        return web.Response(status=200)

    async with http_receiver(answer) as hook:
        path = subscriptions_file(tmp_path, subscription("desk", f"{hook.url}/hook"))
        env = {
            **notify_env,
            "NEWSWATCH_SUBSCRIPTIONS": str(path),
            "NEWSWATCH_WEBHOOK_TIMEOUT_SECONDS": "300",
            "NEWSWATCH_NOTIFY_RETRY_SECONDS": "300",
        }
        await asyncio.to_thread(start_worker, env)
        first = await asyncio.to_thread(start_notifier, env)
        await replay(env, tmp_path, articles)
        await until(lambda: stories_at(hook.requests) == expected, 90, "every story's webhook")
        await asyncio.sleep(3)  # the delivered ones recorded in `sent`, commits made where they can be
        offsets = await committed(bootstrap, group)
        uncommitted = [p for p in range(4) if (env["NEWSWATCH_ALERTS_TOPIC"], p) not in offsets]
        assert uncommitted, f"some alerts partition must have nothing committed: {offsets}"
        first.process.kill()  # SIGKILL
        first.process.wait()
        before = len(hook.requests)
        gate.set()
        await asyncio.to_thread(start_notifier, env)
        await until(
            lambda: held <= stories_at(hook.requests[before:]),
            90,
            f"the held stories sent again by the next notifier (alerts partitions {uncommitted} uncommitted)",
        )
