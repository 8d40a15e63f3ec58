"""The replayer's and the broker CLI's promises, on the real broker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.environment import run_newswatch as run
from tests.helpers.kafka import kcat_read

pytestmark = pytest.mark.integration


def test_replay_keys_articles_by_id_and_reports_skipped_inputs(
    pipeline_env: dict[str, str], tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"id": "one", "title": "T1", "body": "B1", "language": "en"})
        + "\n"
        + "{not json\n"
        + json.dumps({"id": "two", "title": "T2", "body": "B2"})
        + "\n",
        encoding="utf-8",
    )
    result = run(pipeline_env, "replay", str(feed), str(tmp_path / "missing.txt"))
    assert result.returncode == 0, result.stderr
    assert "2 delivered" in result.stdout and "2 inputs skipped" in result.stdout
    assert f"{feed} (record 2)" in result.stderr and "missing.txt: no such file" in result.stderr

    records = kcat_read(pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"], pipeline_env["NEWSWATCH_ARTICLES_TOPIC"])
    assert sorted((key, json.loads(value)["title"]) for key, value in records) == [
        ("one", "T1"),
        ("two", "T2"),
    ]


def test_replay_limit_and_loop(pipeline_env: dict[str, str]) -> None:
    result = run(pipeline_env, "replay", "seeds", "--loop", "--limit", "10", "--rate", "200")
    assert result.returncode == 0, result.stderr
    assert "10 delivered" in result.stdout
    records = kcat_read(pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"], pipeline_env["NEWSWATCH_ARTICLES_TOPIC"])
    assert len(records) == 10


def test_undeliverable_record_fails_the_run_but_the_rest_is_delivered(
    pipeline_env: dict[str, str], tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    huge = {"id": "huge", "title": "too big", "body": "x" * 2_000_000}  # over the 1 MB message limit
    feed.write_text(
        json.dumps({"id": "fine", "body": "ok"}) + "\n" + json.dumps(huge) + "\n", encoding="utf-8"
    )
    result = run(pipeline_env, "replay", str(feed))
    assert result.returncode == 1
    assert "1 delivered" in result.stdout and "1 not delivered" in result.stdout
    assert "not delivered: article huge" in result.stderr
    records = kcat_read(pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"], pipeline_env["NEWSWATCH_ARTICLES_TOPIC"])
    assert [key for key, _ in records] == ["fine"]


def test_kafka_status_reports_the_running_broker(kafka_bootstrap: str) -> None:
    result = run({}, "kafka", "status")
    if kafka_bootstrap.startswith("127.0.0.1:"):
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"answering on {kafka_bootstrap}" in result.stdout
    else:
        assert "NEWSWATCH_KAFKA_BOOTSTRAP is set" in result.stderr or result.returncode == 0
