"""No alert lost on a bad day: kill -9, a dying group member, SIGTERM, a broker restart.

Each test replays thousands of distinct articles, breaks something for real in the
middle, and then checks the alerts topic against what `newswatch tag` computes offline
for the same input. Duplicates are allowed only where at-least-once allows them: for
articles at or after the offset the group had committed when the worker died.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from newswatch.kafka.admin import ensure_topics
from newswatch.kafka.local_broker import LocalBroker, find_deploy_dir
from tests.helpers.environment import free_port, isolated_env, newswatch_command, subprocess_env, topics_of
from tests.helpers.kafka import kcat_positions, kcat_read
from tests.helpers.paths import REPO_ROOT
from tests.helpers.workers import StartWorker
from tests.integration.generated import write_articles

pytestmark = pytest.mark.integration

ARTICLES = 5000
REPLAY_RATE = 500  # articles per second: the replay lasts 10 s, the fault lands in the middle


@dataclass(frozen=True)
class Feed:
    path: Path
    expected_alert_ids: frozenset[str]


@pytest.fixture
def feed(tmp_path: Path, unique_name: str) -> Feed:
    path = tmp_path / "articles.jsonl"
    write_articles(path, ARTICLES, prefix=unique_name)
    offline = subprocess.run(
        newswatch_command("tag", str(path)), capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    expected = frozenset(json.loads(line)["alert_id"] for line in offline.stdout.splitlines())
    assert len(expected) > ARTICLES // 3, "the feed must produce plenty of alerts"
    return Feed(path, expected)


StartReplay = Callable[[dict[str, str], Feed, int], subprocess.Popen[str]]


@pytest.fixture
def start_replay() -> Iterator[StartReplay]:
    """Start `newswatch replay` in the background; one still running after the test is killed
    (a test that fails mid-replay would otherwise leave it retrying against deleted topics)."""
    started: list[subprocess.Popen[str]] = []

    def start(env: dict[str, str], feed: Feed, rate: int) -> subprocess.Popen[str]:
        # Output goes to a file: a pipe nobody reads fills up while the broker is away
        # (the client logs every failed connection) and would block the replayer.
        with feed.path.with_suffix(".replay.log").open("w") as log:
            process = subprocess.Popen(
                newswatch_command("replay", str(feed.path), "--rate", str(rate)),
                env=subprocess_env(env),
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def replay_output(feed: Feed) -> str:
    return feed.path.with_suffix(".replay.log").read_text()[-3000:]


def alert_ids_on_topic(env: dict[str, str]) -> list[tuple[str, str]]:
    """(alert id, article id) of every record on the alerts topic, duplicates included."""
    records = kcat_read(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_ALERTS_TOPIC"])
    return [(json.loads(value)["alert_id"], key) for key, value in records]


def into_the_replay(replay: subprocess.Popen[str], seconds: float = 3.0) -> None:
    """Let the replay run for a while; the fault that follows must land while it still runs."""
    time.sleep(seconds)
    assert replay.poll() is None, "the replay finished before the fault: lower REPLAY_RATE"


def wait_for_every_alert(env: dict[str, str], feed: Feed, timeout: float = 180.0) -> list[tuple[str, str]]:
    deadline = time.monotonic() + timeout
    while True:
        seen = alert_ids_on_topic(env)
        missing = feed.expected_alert_ids - {alert_id for alert_id, _ in seen}
        if not missing:
            return seen
        if time.monotonic() > deadline:
            pytest.fail(f"{len(missing)} of {len(feed.expected_alert_ids)} expected alerts never arrived")
        time.sleep(1.0)


def committed_offsets(env: dict[str, str]) -> dict[int, int]:
    async def read() -> dict[int, int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=env["NEWSWATCH_KAFKA_BOOTSTRAP"])
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(env["NEWSWATCH_APP_ID"])
        finally:
            await admin.close()
        topic = env["NEWSWATCH_ARTICLES_TOPIC"]
        return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}

    return asyncio.run(read())


def wait_for_stable_group(env: dict[str, str], members: int, timeout: float = 60.0) -> None:
    """Wait until the group has settled with `members` consumers, so no start-up rebalance is in flight."""

    async def describe() -> tuple[str, int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=env["NEWSWATCH_KAFKA_BOOTSTRAP"])
        await admin.start()
        try:
            [response] = await admin.describe_consumer_groups([env["NEWSWATCH_APP_ID"]])
        finally:
            await admin.close()
        group = response.to_object()["groups"][0]
        return str(group["state"]), len(group["members"])

    def settled() -> bool:
        try:
            return asyncio.run(describe()) == ("Stable", members)
        except KafkaError:  # a fresh broker has no group coordinator for a moment
            return False

    deadline = time.monotonic() + timeout
    while not settled():
        if time.monotonic() > deadline:
            pytest.fail(f"the consumer group did not settle with {members} members in {timeout:.0f} s")
        time.sleep(0.5)


def duplicates_outside_the_uncommitted_window(
    env: dict[str, str], seen: list[tuple[str, str]], committed: dict[int, int]
) -> tuple[int, list[str]]:
    """Count duplicate alerts; list those whose article had already been committed (a bug)."""
    counts = Counter(alert_id for alert_id, _ in seen)
    duplicated = {alert_id for alert_id, count in counts.items() if count > 1}
    positions = kcat_positions(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_ARTICLES_TOPIC"])
    unexplained = []
    for alert_id, article_id in dict(seen).items():
        if alert_id in duplicated:
            partition, offset = positions[article_id]
            if offset < committed.get(partition, 0):
                unexplained.append(f"{article_id} (partition {partition}, offset {offset})")
    return sum(count - 1 for count in counts.values()), unexplained


def report(
    label: str,
    feed: Feed,
    seen: list[tuple[str, str]],
    duplicates: int,
    committed: dict[int, int] | None = None,
) -> None:
    # Printed for the closing note and the README (pytest -s shows it).
    at_fault = f", {sum(committed.values())} articles committed at the fault" if committed is not None else ""
    print(
        f"\n[{label}] {ARTICLES} articles{at_fault}, {len(feed.expected_alert_ids)} alerts expected, "
        f"{len(seen)} on the topic, {duplicates} duplicates"
    )


def test_kill_9_mid_replay_loses_nothing(
    pipeline_env: dict[str, str], start_worker: StartWorker, feed: Feed, start_replay: StartReplay
) -> None:
    worker = start_worker(pipeline_env)
    wait_for_stable_group(pipeline_env, members=1)
    replay = start_replay(pipeline_env, feed, REPLAY_RATE)
    into_the_replay(replay)
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait()
    committed = committed_offsets(pipeline_env)

    start_worker(pipeline_env)
    assert replay.wait(timeout=120) == 0, replay_output(feed)
    seen = wait_for_every_alert(pipeline_env, feed)
    duplicates, unexplained = duplicates_outside_the_uncommitted_window(pipeline_env, seen, committed)
    report("kill -9", feed, seen, duplicates, committed)
    assert not unexplained, f"duplicates for articles committed before the kill: {unexplained[:5]}"
    assert {alert_id for alert_id, _ in seen} == feed.expected_alert_ids, (
        "no alert the offline tagger gives is extra"
    )


def test_a_killed_group_member_hands_its_partitions_to_the_survivor(
    pipeline_env: dict[str, str],
    start_worker: StartWorker,
    feed: Feed,
    tmp_path: Path,
    start_replay: StartReplay,
) -> None:
    first = start_worker(pipeline_env)
    second_env = {
        **pipeline_env,
        "NEWSWATCH_METRICS_PORT": str(free_port()),
        "NEWSWATCH_STATE_DIR": str(tmp_path / "second"),
    }
    start_worker(second_env)
    # A rebalance while both join has its own at-least-once window; keep it out of this test.
    wait_for_stable_group(pipeline_env, members=2)
    replay = start_replay(pipeline_env, feed, REPLAY_RATE)
    into_the_replay(replay)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait()
    committed = committed_offsets(pipeline_env)

    assert replay.wait(timeout=120) == 0, replay_output(feed)
    seen = wait_for_every_alert(pipeline_env, feed)
    duplicates, unexplained = duplicates_outside_the_uncommitted_window(pipeline_env, seen, committed)
    report("one of two workers killed", feed, seen, duplicates, committed)
    assert not unexplained, f"duplicates for articles committed before the kill: {unexplained[:5]}"
    assert {alert_id for alert_id, _ in seen} == feed.expected_alert_ids, (
        "no alert the offline tagger gives is extra"
    )


def test_sigterm_finishes_in_flight_work_commits_and_exits_zero(
    pipeline_env: dict[str, str], start_worker: StartWorker, feed: Feed, start_replay: StartReplay
) -> None:
    worker = start_worker(pipeline_env)
    wait_for_stable_group(pipeline_env, members=1)
    replay = start_replay(pipeline_env, feed, REPLAY_RATE)
    into_the_replay(replay)
    asked = time.monotonic()
    worker.process.send_signal(signal.SIGTERM)
    exit_code = worker.process.wait(timeout=30)
    stop_seconds = time.monotonic() - asked
    assert exit_code == 0, worker.log.read_text()[-3000:]
    committed = committed_offsets(pipeline_env)
    assert committed, "the worker committed its progress before exiting"
    handled_before_the_stop = len(alert_ids_on_topic(pipeline_env))

    start_worker(pipeline_env)
    assert replay.wait(timeout=120) == 0, replay_output(feed)
    seen = wait_for_every_alert(pipeline_env, feed)
    duplicates, unexplained = duplicates_outside_the_uncommitted_window(pipeline_env, seen, committed)
    report(f"SIGTERM (stopped in {stop_seconds:.1f} s)", feed, seen, duplicates, committed)
    assert not unexplained, f"duplicates for articles committed before the stop: {unexplained[:5]}"
    # A graceful stop commits everything it handled: the next worker re-sends nothing.
    assert handled_before_the_stop > 0, "the stop landed after some alerts were published"
    assert duplicates == 0, f"{duplicates} alerts sent twice after a graceful stop"


@pytest.mark.usefixtures("kafka_bootstrap")  # the session's broker has resolved the jars
def test_broker_restart_mid_replay_loses_nothing(
    start_worker: StartWorker, feed: Feed, unique_name: str, tmp_path: Path, start_replay: StartReplay
) -> None:
    # Its own broker, so that stopping it does not disturb other tests; the jars are shared.
    main_jars = REPO_ROOT / ".newswatch" / "kafka" / "libs"
    broker = LocalBroker(
        find_deploy_dir(REPO_ROOT),
        tmp_path / "broker",
        free_port(),
        free_port(),
        jars_dir=main_jars if main_jars.is_dir() else None,
    )
    broker.up()
    try:
        env = isolated_env(broker.bootstrap, unique_name, tmp_path / "state")
        asyncio.run(ensure_topics(broker.connection, topics_of(env), partitions=4, replication_factor=1))
        start_worker(env)
        wait_for_stable_group(env, members=1)
        replay = start_replay(env, feed, REPLAY_RATE)
        into_the_replay(replay)
        broker.down()
        time.sleep(2)
        broker.up()

        assert replay.wait(timeout=180) == 0, replay_output(feed)
        seen = wait_for_every_alert(env, feed)
        duplicates = len(seen) - len({alert_id for alert_id, _ in seen})
        report("broker restarted", feed, seen, duplicates)
        # At most what a worker handles between two commits (1 s of the replay's alerts) may
        # come again; a bigger number means offsets were lost or committed late.
        assert duplicates <= REPLAY_RATE, f"{duplicates} alerts sent twice after a broker restart"
        assert {alert_id for alert_id, _ in seen} == feed.expected_alert_ids
    finally:
        broker.down()
