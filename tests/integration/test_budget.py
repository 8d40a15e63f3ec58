"""The time budget per record on the real broker: a record over NEWSWATCH_RECORD_BUDGET_SECONDS
becomes a too_slow dead letter, the next article is still alerted, and the worker answers
/healthz and /metrics while it tags a slow record (tagging runs off the event loop).

The slow record is a valid article of ~900 KB of real news sentences: every sentence
matches, so tagging it takes seconds whatever the matching algorithm (tens of thousands
of hits to score and cite), while an ordinary article takes milliseconds.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.request

import pytest

from newswatch.tagger.process import WorkerProcess
from newswatch.tagger.records import DEAD_LETTER_VALUE_BYTES
from tests.helpers.kafka import produce_raw, wait_for_records
from tests.helpers.workers import StartWorker

SENTENCE = (
    "The UN Security Council extended sanctions on North Korea over its missile programme, diplomats said. "
)
# Under the 1 MiB record limit, so that the worker parses and tags it.
SLOW_BODY = SENTENCE * (900_000 // len(SENTENCE))
# Far above an ordinary article's few milliseconds, far below the big one's seconds.
TINY_BUDGET_SECONDS = "0.25"
ALERTING = {"sanctions", "korean_peninsula"}

pytestmark = pytest.mark.integration


def article(article_id: str, body: str = SENTENCE) -> tuple[bytes, bytes]:
    return article_id.encode(), json.dumps({"id": article_id, "title": "", "body": body}).encode()


def consumed(worker: WorkerProcess) -> float:
    return worker.samples().get(("newswatch_articles_consumed_total", ()), 0.0)


def wait_consumed(worker: WorkerProcess, count: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while consumed(worker) < count:
        assert time.monotonic() < deadline, f"the worker did not handle {count} records in {timeout:.0f} s"
        time.sleep(0.2)


def test_a_record_over_the_budget_is_dead_lettered_as_too_slow_and_the_next_one_alerted(
    pipeline_env: dict[str, str], start_worker: StartWorker
) -> None:
    env = {**pipeline_env, "NEWSWATCH_RECORD_BUDGET_SECONDS": TINY_BUDGET_SECONDS}
    worker = start_worker(env)
    bootstrap = env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    slow_key, slow_value = article("slow", SLOW_BODY)
    produce_raw(bootstrap, env["NEWSWATCH_ARTICLES_TOPIC"], [(slow_key, slow_value), article("after")])

    [(key, letter)] = wait_for_records(bootstrap, env["NEWSWATCH_DEAD_LETTER_TOPIC"], 1, timeout=120)
    assert key == "slow" and letter["reason"] == "too_slow"
    detail = letter["detail"]
    assert detail.startswith(
        f"tagging took more than the {TINY_BUDGET_SECONDS} s budget (NEWSWATCH_RECORD_BUDGET_SECONDS): "
    ), detail
    assert "of which decode " in detail and "normalise " in detail and "; stopped after " in detail
    assert letter["value_size"] == len(slow_value) and letter["value_truncated"]
    assert base64.b64decode(letter["value_base64"]) == slow_value[:DEAD_LETTER_VALUE_BYTES]

    alerts = wait_for_records(bootstrap, env["NEWSWATCH_ALERTS_TOPIC"], len(ALERTING))
    assert {alert["watchlist"] for _, alert in alerts if alert["article_id"] == "after"} >= ALERTING
    assert not [alert for _, alert in alerts if alert["article_id"] == "slow"]
    samples = worker.samples()
    assert samples[("newswatch_dead_letters_total", (("reason", "too_slow"),))] == 1
    assert worker.process.poll() is None


def test_the_worker_answers_healthz_and_metrics_while_it_tags_a_slow_record(
    pipeline_env: dict[str, str], start_worker: StartWorker
) -> None:
    # A budget the big articles stay within: they are tagged to the end, for seconds each.
    env = {**pipeline_env, "NEWSWATCH_RECORD_BUDGET_SECONDS": "120"}
    worker = start_worker(env)
    bootstrap = env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    healthz = worker.healthz_url
    produce_raw(bootstrap, env["NEWSWATCH_ARTICLES_TOPIC"], [article("warm-up")])
    wait_consumed(worker, 1)

    slow = [article(f"slow-{n}", SLOW_BODY) for n in range(3)]
    produce_raw(bootstrap, env["NEWSWATCH_ARTICLES_TOPIC"], [*slow, article("after")])
    total = 1 + len(slow) + 1
    answered_while_tagging: list[float] = []
    deadline = time.monotonic() + 180
    while True:
        started = time.monotonic()
        with urllib.request.urlopen(healthz, timeout=10) as response:
            assert response.status == 200
        done = consumed(worker)  # a scrape of /metrics, timed with the /healthz request
        took = time.monotonic() - started
        if done >= total:
            break
        if done > 1:  # the first slow article is done, so the worker is inside the next ones
            answered_while_tagging.append(took)
        assert time.monotonic() < deadline, "the slow articles were not tagged within 180 s"
        time.sleep(0.1)

    assert len(answered_while_tagging) >= 5, (
        f"too few requests during the slow records: {answered_while_tagging}"
    )
    # Before tagging left the event loop, a request waited for the whole record (seconds).
    assert max(answered_while_tagging) < 1.0, (
        f"/healthz + /metrics took up to {max(answered_while_tagging):.2f} s"
    )
    samples = worker.samples()
    assert samples[("newswatch_tagging_seconds_sum", ())] > 1.0, "the big articles did take seconds"
    alerts = wait_for_records(bootstrap, env["NEWSWATCH_ALERTS_TOPIC"], len(ALERTING) * total)
    for article_id in ["after", *(f"slow-{n}" for n in range(3))]:
        assert {alert["watchlist"] for _, alert in alerts if alert["article_id"] == article_id} >= ALERTING
