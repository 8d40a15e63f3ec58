"""The pipeline end to end on the real broker: replay -> worker -> alerts, dead letters, metrics."""

from __future__ import annotations

import base64
import json
import subprocess
import time

import pytest

from tests.helpers.environment import run_newswatch
from tests.helpers.kafka import kcat_read, produce_raw, wait_for_records
from tests.helpers.paths import REPO_ROOT, SEED_ARTICLE
from tests.helpers.workers import StartWorker

pytestmark = pytest.mark.integration

WATCHLISTS = {"sanctions", "arms_transfers", "korean_peninsula"}


def replay(env: dict[str, str], *paths: str) -> subprocess.CompletedProcess[str]:
    return run_newswatch(env, "replay", *paths)


def test_seed_article_yields_three_alerts_with_evidence(
    pipeline_env: dict[str, str], start_worker: StartWorker
) -> None:
    start_worker(pipeline_env)
    result = replay(pipeline_env, str(SEED_ARTICLE))
    assert result.returncode == 0, result.stderr
    assert "1 delivered" in result.stdout

    bootstrap = pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    alerts = wait_for_records(bootstrap, pipeline_env["NEWSWATCH_ALERTS_TOPIC"], 3)
    body = SEED_ARTICLE.read_text(encoding="utf-8").strip().split("\n", 1)[1].strip("\n")
    assert {alert["watchlist"] for _, alert in alerts} == WATCHLISTS
    assert len({key for key, _ in alerts}) == 1, "all alerts of one article share its id as key"
    for key, alert in alerts:
        assert alert["article_id"] == key
        assert alert["title"].startswith("Pejabat AS dan Tiongkok")
        assert alert["evidence"], f"{alert['watchlist']} alert has no evidence"
        for item in alert["evidence"]:
            source = alert["title"] if item["field"] == "title" else body
            assert source[item["start"] : item["end"]] == item["text"]


def test_bad_records_go_to_dead_letters_and_good_ones_around_them_are_alerted(
    pipeline_env: dict[str, str], start_worker: StartWorker
) -> None:
    worker = start_worker(pipeline_env)
    bootstrap = pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    articles_topic = pipeline_env["NEWSWATCH_ARTICLES_TOPIC"]

    def good(article_id: str) -> tuple[bytes, bytes]:
        article = {
            "id": article_id,
            "title": "Sanctions on Pyongyang",
            "body": "The UN Security Council extended sanctions on North Korea over its missile tests.",
        }
        return article_id.encode(), json.dumps(article).encode()

    bad: list[tuple[bytes, bytes | None, str]] = [
        (b"k1", b"this is not json", "not_json"),
        (b"k2", b"\xff\xfe\x00garbage", "not_utf8"),
        (b"k3", b"[1, 2, 3]", "invalid_article"),
        (b"k4", json.dumps({"id": "no-body", "title": "t"}).encode(), "invalid_article"),
        (b"k5", None, "not_json"),  # a tombstone: key, no value
    ]
    records: list[tuple[bytes | None, bytes | None]] = [good("good-0")]
    for index, (key, value, _) in enumerate(bad, start=1):
        records += [(key, value), good(f"good-{index}")]
    produce_raw(bootstrap, articles_topic, records)

    good_count = len(bad) + 1
    dead = wait_for_records(bootstrap, pipeline_env["NEWSWATCH_DEAD_LETTER_TOPIC"], len(bad))
    # Dead letters keep the original key, so they spread over partitions: match them by key.
    by_key = {key: letter for key, letter in dead}
    assert len(dead) == len(bad) == len(by_key)
    for key, value, reason in bad:
        letter = by_key[key.decode()]
        assert letter["reason"] == reason
        assert letter["topic"] == articles_topic and letter["partition"] == 0
        assert base64.b64decode(letter["value_base64"]) == (value or b"")
        assert base64.b64decode(letter["key_base64"]) == key
        assert letter["detail"], "a dead letter must say what was wrong"
    assert "body: Field required" in by_key["k4"]["detail"]

    alerts = wait_for_records(bootstrap, pipeline_env["NEWSWATCH_ALERTS_TOPIC"], 2 * good_count)
    alerted = {(alert["article_id"], alert["watchlist"]) for _, alert in alerts}
    for index in range(good_count):
        assert (f"good-{index}", "sanctions") in alerted
        assert (f"good-{index}", "korean_peninsula") in alerted
    assert worker.process.poll() is None, "the worker must survive bad input"


def test_metrics_count_what_was_replayed(pipeline_env: dict[str, str], start_worker: StartWorker) -> None:
    worker = start_worker(pipeline_env)
    result = replay(pipeline_env, str(REPO_ROOT / "seeds"))
    assert result.returncode == 0, result.stderr
    replayed = len(
        kcat_read(pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"], pipeline_env["NEWSWATCH_ARTICLES_TOPIC"])
    )
    assert replayed >= 1
    produce_raw(
        pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"],
        pipeline_env["NEWSWATCH_ARTICLES_TOPIC"],
        [(b"broken", b"{not json")],
    )

    # Wait until the worker has processed every record, then compare its counters with the topics.
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for _ in range(120):
        samples = worker.samples()
        if samples.get(("newswatch_articles_consumed_total", ()), 0) >= replayed + 1:
            break
        time.sleep(0.5)
    assert samples[("newswatch_articles_consumed_total", ())] == replayed + 1
    assert samples[("newswatch_dead_letters_total", (("reason", "not_json"),))] == 1

    emitted = sum(samples[("newswatch_alerts_emitted_total", (("watchlist", name),))] for name in WATCHLISTS)
    alerts = wait_for_records(
        pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"], pipeline_env["NEWSWATCH_ALERTS_TOPIC"], int(emitted)
    )
    assert len(alerts) == emitted >= 3
    for watchlist in WATCHLISTS:
        on_topic = sum(1 for _, alert in alerts if alert["watchlist"] == watchlist)
        assert samples[("newswatch_alerts_emitted_total", (("watchlist", watchlist),))] == on_topic
    assert samples[("newswatch_tagging_seconds_count", ())] == replayed + 1
    assert any(name.startswith("newswatch_faust_") for name, _ in samples), "Faust's own sensor is served"
    # Lag is refreshed every second; once everything is handled it reads 0 on every partition.
    lag: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for _ in range(20):
        lag = {key: value for key, value in worker.samples().items()
               if key[0] == "newswatch_consumer_lag_records"}  # fmt: skip
        if len(lag) == 4 and not any(lag.values()):
            break
        time.sleep(0.5)
    assert len(lag) == 4 and not any(lag.values()), f"lag per partition after catching up: {lag}"
