"""Fixtures of the integration tests: the real Kafka broker, topics of their own, real workers.

The broker is started once per test session from deploy/kafka (the same code as
`newswatch kafka up`) unless one already answers; it is stopped at the end only if
this session started it. Set NEWSWATCH_KAFKA_BOOTSTRAP to test against another cluster.
Every test gets its own topics and consumer group (see `pipeline_env`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newswatch.errors import NewswatchError
from newswatch.kafka.admin import broker_answers, delete_topics, ensure_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.kafka.local_broker import LocalBroker
from newswatch.settings import Settings
from newswatch.tagger.process import WorkerProcess
from tests.helpers.environment import isolated_env, topics_of
from tests.helpers.notifier import delete_notify_topics, notifiers, notify_environment
from tests.helpers.paths import REPO_ROOT
from tests.helpers.workers import StartWorker, launch_worker

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


@pytest.fixture
def pipeline_env(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[dict[str, str]]:
    """NEWSWATCH_* variables for one test: its own topics, group, metrics port and state;
    with the stories stage on for tests marked `stories`.

    The topics are deleted afterwards, so a long-lived development broker does not fill up;
    the watch-lists topic is left for the worker (or a command) to create, as in production.
    """
    env = isolated_env(kafka_bootstrap, unique_name, tmp_path / "state")
    if request.node.get_closest_marker("stories") is not None:
        env["NEWSWATCH_STORIES_ENABLED"] = "true"
    connection = KafkaConnection.plaintext(kafka_bootstrap)
    asyncio.run(ensure_topics(connection, topics_of(env), partitions=4, replication_factor=1))
    yield env
    asyncio.run(delete_topics(connection, [*topics_of(env), env["NEWSWATCH_WATCHLISTS_TOPIC"]]))


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[StartWorker]:
    """Start `newswatch worker` as a real process; waits for its /healthz; stops it after the test."""
    started: list[WorkerProcess] = []

    def start(env: dict[str, str]) -> WorkerProcess:
        worker = launch_worker(env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def notify_env(pipeline_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """`pipeline_env` with the notifier's own dead-letter topic, port and short retries;
    the topics the notifier made are deleted afterwards."""
    env = notify_environment(pipeline_env)
    yield env
    delete_notify_topics(env)


@pytest.fixture
def start_notifier(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], WorkerProcess]]:
    """`start(env)` launches a notifier logging to `notifier.log`; all are stopped after."""
    with notifiers(tmp_path / "notifier.log") as start:
        yield start
