"""The worker-process helper: healthy once /healthz answers, the log tail when not, a stop that ends it.

A stand-in process plays the worker here (the real one is started by the integration tests).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from newswatch.tagger.process import WorkerProcess, WorkerProcessError
from tests.helpers.environment import free_port

# Serves the files of its folder (healthz, metrics) on the port it is given.
FILE_SERVER = (
    "import http.server, sys; "
    "http.server.test(http.server.SimpleHTTPRequestHandler, port=int(sys.argv[1]), bind='127.0.0.1')"
)


def stand_in(tmp_path: Path, code: str) -> WorkerProcess:
    """A Python process running `code` in the worker's place, its output in worker.log.

    `code` gets the port the worker would serve /healthz on as its first argument.
    """
    log, port = tmp_path / "worker.log", free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", code, str(port)], cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT
        )
    return WorkerProcess(process, log, "127.0.0.1", port)


def test_a_worker_that_exits_on_start_is_reported_with_its_log(tmp_path: Path) -> None:
    worker = stand_in(tmp_path, "print('no watch-lists found', flush=True); raise SystemExit(3)")
    with pytest.raises(WorkerProcessError) as raised:
        worker.wait_healthy(timeout=30)
    assert str(raised.value) == f"the worker exited with code 3 on start; see {worker.log}"
    assert "no watch-lists found" in raised.value.tail


def test_a_worker_that_never_answers_times_out_and_is_stopped(tmp_path: Path) -> None:
    worker = stand_in(tmp_path, "import time; time.sleep(60)")
    with pytest.raises(WorkerProcessError, match=r"did not serve http://127\.0\.0\.1:\d+/healthz within 1 s"):
        worker.wait_healthy(timeout=1)
    assert worker.stop() == -signal.SIGTERM


def test_stop_kills_a_worker_that_ignores_sigterm(tmp_path: Path) -> None:
    worker = stand_in(
        tmp_path,
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)",
    )
    while "ready" not in worker.log.read_text():
        worker.check_running()
    assert worker.stop(timeout=0.5) == -signal.SIGKILL


def test_check_running_names_the_exit_code_and_the_log(tmp_path: Path) -> None:
    worker = stand_in(tmp_path, "raise SystemExit(2)")
    worker.process.wait()
    with pytest.raises(WorkerProcessError, match=r"^the worker exited with code 2; see .*worker\.log$"):
        worker.check_running()


async def test_a_healthy_worker_is_awaited_and_its_metrics_read(tmp_path: Path) -> None:
    (tmp_path / "healthz").write_text("ok\n")
    (tmp_path / "metrics").write_text(
        "# TYPE newswatch_articles_consumed_total counter\n"
        'newswatch_articles_consumed_total 7.0\nnewswatch_alerts_total{watchlist="sanctions"} 2.0\n'
    )
    with stand_in(tmp_path, FILE_SERVER) as worker:
        await worker.wait_healthy_async(timeout=30)
        assert worker.samples() == {
            ("newswatch_articles_consumed_total", ()): 7.0,
            ("newswatch_alerts_total", (("watchlist", "sanctions"),)): 2.0,
        }
    assert worker.process.poll() is not None, "leaving the with block stops the worker"
