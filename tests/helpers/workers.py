"""Real `newswatch worker` processes for the tests (see newswatch.tagger.process)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from newswatch.tagger.process import WorkerProcess, WorkerProcessError
from tests.helpers.environment import subprocess_env
from tests.helpers.paths import REPO_ROOT

WORKER_START_TIMEOUT_S = 60.0

StartWorker = Callable[[dict[str, str]], WorkerProcess]


def launch_worker(env: dict[str, str], log: Path) -> WorkerProcess:
    """`newswatch worker` with these NEWSWATCH_* settings, once it serves /healthz; the caller stops it."""
    worker = WorkerProcess.start(
        subprocess_env(env), log, port=int(env["NEWSWATCH_METRICS_PORT"]), cwd=REPO_ROOT
    )
    try:
        worker.wait_healthy(WORKER_START_TIMEOUT_S)
    except WorkerProcessError as exc:
        worker.stop()
        pytest.fail(f"{exc}:\n{exc.tail}")
    return worker


def launch_notifier(env: dict[str, str], log: Path, *, append: bool = False) -> WorkerProcess:
    """`newswatch notify run` with these settings, once it serves /healthz; the caller stops it."""
    notifier = WorkerProcess.start(
        subprocess_env(env),
        log,
        port=int(env["NEWSWATCH_NOTIFY_METRICS_PORT"]),
        cwd=REPO_ROOT,
        append=append,
        command=("notify", "run"),
    )
    try:
        notifier.wait_healthy(WORKER_START_TIMEOUT_S)
    except WorkerProcessError as exc:
        notifier.stop()
        pytest.fail(f"{exc}:\n{exc.tail}")
    return notifier
