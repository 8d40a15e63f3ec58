"""SIGHUP makes a running worker use edited watch-lists; a broken edit leaves it as it was."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from newswatch.tagger.process import WorkerProcess
from tests.helpers.kafka import produce_raw, wait_for_records
from tests.helpers.watchlists import terms_yaml
from tests.helpers.workers import StartWorker

pytestmark = pytest.mark.integration


def reloads(worker: WorkerProcess, result: str) -> float:
    return worker.samples()[("newswatch_watchlist_reloads_total", (("result", result),))]


def wait_for_reloads(worker: WorkerProcess, result: str, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while reloads(worker, result) < count:
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode} after SIGHUP")
        if time.monotonic() > deadline:
            pytest.fail(f"no {result} reload counted {timeout:.0f} s after SIGHUP:\n{worker.log.read_text()}")
        time.sleep(0.2)


def blockade_article(article_id: str) -> tuple[bytes, bytes]:
    article = {"id": article_id, "title": "Ports closed", "body": "The navy began a blockade of the ports."}
    return article_id.encode(), json.dumps(article).encode()


def test_sighup_reloads_edited_watchlists_and_keeps_them_after_a_broken_edit(
    pipeline_env: dict[str, str],
    start_worker: StartWorker,
    tmp_path: Path,
) -> None:
    watchlist = tmp_path / "watch.yaml"
    watchlist.write_text(terms_yaml("embargo", name="watch"), encoding="utf-8")
    env = {**pipeline_env, "NEWSWATCH_WATCHLISTS": json.dumps([str(watchlist)])}
    worker = start_worker(env)
    bootstrap, articles, alerts = (
        env["NEWSWATCH_KAFKA_BOOTSTRAP"],
        env["NEWSWATCH_ARTICLES_TOPIC"],
        env["NEWSWATCH_ALERTS_TOPIC"],
    )

    watchlist.write_text(terms_yaml("blockade", name="watch"), encoding="utf-8")
    worker.process.send_signal(signal.SIGHUP)
    wait_for_reloads(worker, "ok", 1)
    produce_raw(bootstrap, articles, [blockade_article("after-reload")])
    [(key, alert)] = wait_for_records(bootstrap, alerts, 1)
    assert (key, alert["watchlist"]) == ("after-reload", "watch")
    assert [item["text"] for item in alert["evidence"]] == ["blockade"]

    watchlist.write_text("name: watch\nrules: [\n", encoding="utf-8")
    worker.process.send_signal(signal.SIGHUP)
    wait_for_reloads(worker, "failed", 1)
    produce_raw(bootstrap, articles, [blockade_article("after-broken-edit")])
    records = wait_for_records(bootstrap, alerts, 2)
    # Keyed by article id, the two alerts may sit on different partitions: no order between them.
    assert sorted(key for key, _ in records) == ["after-broken-edit", "after-reload"]
    assert worker.process.poll() is None, "a broken edit must not stop the worker"
    assert str(watchlist) in worker.log.read_text(), "the log names the file to fix"


def embargo_article(article_id: str) -> tuple[bytes, bytes]:
    article = {"id": article_id, "title": "Trade", "body": "An embargo on steel was announced."}
    return article_id.encode(), json.dumps(article).encode()


def test_a_restart_reads_the_compiled_lists_it_kept_and_compiles_a_damaged_copy_again(
    pipeline_env: dict[str, str], start_worker: StartWorker, tmp_path: Path
) -> None:
    watchlist = tmp_path / "watch.yaml"
    watchlist.write_text(terms_yaml("embargo", name="watch"), encoding="utf-8")
    env = {**pipeline_env, "NEWSWATCH_WATCHLISTS": json.dumps([str(watchlist)])}
    bootstrap, articles, alerts = (
        env["NEWSWATCH_KAFKA_BOOTSTRAP"],
        env["NEWSWATCH_ARTICLES_TOPIC"],
        env["NEWSWATCH_ALERTS_TOPIC"],
    )
    start_worker(env).stop()
    [stored] = (Path(env["NEWSWATCH_STATE_DIR"]) / "watchlists" / "compiled").glob("*.hsdb")
    first_copy = stored.stat().st_ino

    second = start_worker(env)
    assert stored.stat().st_ino == first_copy, "read, not compiled and written again"
    produce_raw(bootstrap, articles, [embargo_article("read-back")])
    [(key, _)] = wait_for_records(bootstrap, alerts, 1)
    assert key == "read-back"
    second.stop()

    stored.write_bytes(b"not a database")
    third = start_worker(env)
    produce_raw(bootstrap, articles, [embargo_article("compiled-again")])
    assert sorted(key for key, _ in wait_for_records(bootstrap, alerts, 2)) == ["compiled-again", "read-back"]
    assert f"ignored the compiled watch-lists {stored}" in third.log.read_text()
    assert stored.read_bytes().startswith(b"newswatch compiled watch-list database"), "stored again, whole"
