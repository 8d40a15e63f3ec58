"""The real Kafka broker for integration tests, and helpers that run the real worker.

The broker is started once per test session from deploy/kafka (the same code as
`newswatch kafka up`) unless one already answers; it is stopped at the end only if
this session started it. Set NEWSWATCH_KAFKA_BOOTSTRAP to test against another cluster.
Every test gets its own topics and consumer group (see `pipeline_env`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newswatch.errors import NewswatchError
from newswatch.kafka.admin import broker_answers, delete_topics, ensure_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.kafka.local_broker import LocalBroker
from newswatch.settings import Settings
from tests.conftest import REPO_ROOT

HOW_TO_START = (
    "Integration tests need Kafka: install Java 17 and Maven so the tests can start the local broker "
    "(or run `newswatch kafka up`), or point NEWSWATCH_KAFKA_BOOTSTRAP at a running cluster."
)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    external = os.environ.get("NEWSWATCH_KAFKA_BOOTSTRAP")
    if external:
        if not asyncio.run(broker_answers(KafkaConnection.plaintext(external), timeout=10.0)):
            pytest.fail(f"no broker answers at NEWSWATCH_KAFKA_BOOTSTRAP={external}. {HOW_TO_START}")
        yield external
        return
    broker = LocalBroker.from_settings(Settings(state_dir=REPO_ROOT / ".newswatch"), checkout=REPO_ROOT)
    already_running = broker.status().answering
    try:
        broker.up()
    except NewswatchError as exc:
        pytest.fail(f"could not start the local Kafka broker: {exc}. {HOW_TO_START}")
    yield broker.bootstrap
    if not already_running:
        broker.down()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def pipeline_env(kafka_bootstrap: str, unique_name: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """NEWSWATCH_* variables for one test: its own topics, group, metrics port and state.

    The topics are deleted afterwards, so a long-lived development broker does not fill up.
    """
    env = isolated_env(kafka_bootstrap, unique_name, tmp_path / "state")
    connection = KafkaConnection.plaintext(kafka_bootstrap)
    asyncio.run(ensure_topics(connection, topics_of(env), partitions=4, replication_factor=1))
    yield env
    asyncio.run(delete_topics(connection, topics_of(env)))


def isolated_env(bootstrap: str, name: str, state_dir: Path) -> dict[str, str]:
    """Settings for a pipeline nobody else uses: topics, group and metrics port of its own."""
    return {
        "NEWSWATCH_KAFKA_BOOTSTRAP": bootstrap,
        "NEWSWATCH_ARTICLES_TOPIC": f"{name}.articles",
        "NEWSWATCH_ALERTS_TOPIC": f"{name}.alerts",
        "NEWSWATCH_DEAD_LETTER_TOPIC": f"{name}.articles.dlq",
        "NEWSWATCH_APP_ID": name,
        "NEWSWATCH_METRICS_PORT": str(free_port()),
        "NEWSWATCH_STATE_DIR": str(state_dir),
    }


def topics_of(env: dict[str, str]) -> list[str]:
    return [env[f"NEWSWATCH_{role}_TOPIC"] for role in ("ARTICLES", "ALERTS", "DEAD_LETTER")]


def newswatch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "newswatch", *args]


def run_newswatch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run one `newswatch` command to completion with exactly these NEWSWATCH_* settings."""
    return subprocess.run(
        newswatch_command(*args),
        env=subprocess_env(env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def subprocess_env(overrides: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSWATCH_")}
    return {**env, **overrides}


class RunningWorker:
    def __init__(self, process: subprocess.Popen[bytes], log: Path, metrics_url: str) -> None:
        self.process = process
        self.log = log
        self.metrics_url = metrics_url

    def scrape(self) -> str:
        with urllib.request.urlopen(self.metrics_url, timeout=5) as response:
            return str(response.read().decode())

    def stop(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], RunningWorker]]:
    """Start `newswatch worker` as a real process; waits for its /healthz; stops it after the test."""
    started: list[RunningWorker] = []

    def start(env: dict[str, str]) -> RunningWorker:
        worker = launch_worker(env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def launch_worker(env: dict[str, str], log: Path) -> RunningWorker:
    """`newswatch worker` as a real process, once it serves /healthz; the caller stops it."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            newswatch_command("worker"),
            env=subprocess_env(env),
            cwd=REPO_ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{env['NEWSWATCH_METRICS_PORT']}"
    worker = RunningWorker(process, log, base + "/metrics")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).close()
            return worker
        except OSError:
            time.sleep(0.3)
    worker.stop()
    pytest.fail(f"worker did not serve /healthz within 60 s:\n{log.read_text()[-3000:]}")
