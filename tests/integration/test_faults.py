"""No alert lost on a bad day: kill -9, a dying group member, SIGTERM, a broker restart.

Each test replays thousands of distinct articles, breaks something for real in the
middle, and then checks the alerts topic against what `newswatch tag` computes offline
for the same input. Duplicates are allowed only where at-least-once allows them: for
articles at or after the offset the group had committed when the worker died, or, with
the stories stage on (the default), for alerts whose story request on the repartition
topic was at or after the offset the group had committed there: alerts reach the alerts
topic through two agents, and each re-handles its own uncommitted records after a fault.
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
from tests.helpers.environment import (
    free_port,
    isolated_env,
    newswatch_command,
    stories_on,
    subprocess_env,
    topics_of,
)
from tests.helpers.kafka import _kcat_consume, kcat_positions, kcat_read
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


def alerts_published_again_after(env: dict[str, str], moment_ms: int) -> set[str]:
    """Alert ids published before `moment_ms` (epoch ms, the producer's timestamp) and again after it."""
    before: set[str] = set()
    after: set[str] = set()
    for line in _kcat_consume(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_ALERTS_TOPIC"], "%T %s\\n"):
        timestamp, value = line.split(" ", 1)
        (before if int(timestamp) < moment_ms else after).add(json.loads(value)["alert_id"])
    return before & after


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
            pytest.fail(
                f"{len(missing)} of {len(feed.expected_alert_ids)} expected alerts never arrived"
                + (where_lost(env, missing) if stories_on(env) else "")
            )
        time.sleep(1.0)


def where_lost(env: dict[str, str], missing: frozenset[str] | set[str]) -> str:
    """Which stage lost the `missing` alerts: a story request on the repartition topic means
    the stories agent committed past it without publishing; none, the tagger agent never sent it."""
    requests = request_positions(env)
    committed = committed_offsets(env, request_topic(env))
    lines = [
        f"{alert_id}: "
        + (f"story requests at {requests[alert_id]}" if alert_id in requests else "no story request")
        for alert_id in sorted(missing)[:10]
    ]
    return f"; the group's committed offsets on the repartition topic {committed}:\n  " + "\n  ".join(lines)


def committed_offsets(env: dict[str, str], topic: str | None = None) -> dict[int, int]:
    """Partition -> the group's committed offset on `topic` (the articles topic by default)."""
    topic = topic or env["NEWSWATCH_ARTICLES_TOPIC"]

    async def read() -> dict[int, int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=env["NEWSWATCH_KAFKA_BOOTSTRAP"])
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(env["NEWSWATCH_APP_ID"])
        finally:
            await admin.close()
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


def request_topic(env: dict[str, str]) -> str:
    """The stories stage's repartition topic: the tagger agent's story requests, keyed by watch-list."""
    return f"{env['NEWSWATCH_APP_ID']}-stories-by-watchlist"


@dataclass(frozen=True)
class Committed:
    """The group's committed offsets at the fault, per partition: on the articles topic (the
    tagger agent's progress) and on the repartition topic (the stories agent's)."""

    articles: dict[int, int]
    requests: dict[int, int]

    def describe(self) -> str:
        stage = f", {sum(self.requests.values())} story requests" if self.requests else ""
        return f"{sum(self.articles.values())} articles{stage}"


def committed_at_fault(env: dict[str, str]) -> Committed:
    requests = committed_offsets(env, request_topic(env)) if stories_on(env) else {}
    return Committed(committed_offsets(env), requests)


def request_positions(env: dict[str, str]) -> dict[str, list[tuple[int, int]]]:
    """Alert id -> (partition, offset) of every story request carrying that alert."""
    positions: dict[str, list[tuple[int, int]]] = {}
    for line in _kcat_consume(env["NEWSWATCH_KAFKA_BOOTSTRAP"], request_topic(env), "%p %o %s\\n"):
        partition, offset, value = line.split(" ", 2)
        alert_id = json.loads(value)["alert"]["alert_id"]
        positions.setdefault(alert_id, []).append((int(partition), int(offset)))
    return positions


@dataclass(frozen=True)
class Duplicates:
    """Alerts sent more than once: how many extra records, how many of the duplicated alerts
    only the stories agent's window explains, and those nothing explains (a bug)."""

    extra: int
    by_stories_stage: int
    unexplained: list[str]


def duplicates_outside_the_uncommitted_window(
    env: dict[str, str], seen: list[tuple[str, str]], committed: Committed
) -> Duplicates:
    """Count duplicate alerts; explained are those whose article was at or after the committed
    offset on the articles topic, or one of whose story requests was at or after it on the
    repartition topic."""
    counts = Counter(alert_id for alert_id, _ in seen)
    duplicated = {alert_id for alert_id, count in counts.items() if count > 1}
    positions = kcat_positions(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_ARTICLES_TOPIC"])
    requests = request_positions(env) if duplicated and committed.requests else {}
    unexplained = []
    by_stories_stage = 0
    for alert_id, article_id in dict(seen).items():
        if alert_id not in duplicated:
            continue
        partition, offset = positions[article_id]
        if offset >= committed.articles.get(partition, 0):
            continue
        if any(at >= committed.requests.get(p, 0) for p, at in requests.get(alert_id, [])):
            by_stories_stage += 1
            continue
        unexplained.append(f"{article_id} (partition {partition}, offset {offset})")
    return Duplicates(sum(count - 1 for count in counts.values()), by_stories_stage, unexplained)


def report(
    label: str,
    feed: Feed,
    seen: list[tuple[str, str]],
    duplicates: int | Duplicates,
    committed: Committed | None = None,
) -> None:
    # Printed for the closing note and the README (pytest -s shows it).
    at_fault = f", {committed.describe()} committed at the fault" if committed is not None else ""
    if isinstance(duplicates, Duplicates):
        by_stage = duplicates.by_stories_stage
        counted = f"{duplicates.extra} duplicates ({by_stage} alerts from the stories agent's window)"
    else:
        counted = f"{duplicates} duplicates"
    print(
        f"\n[{label}] {ARTICLES} articles{at_fault}, {len(feed.expected_alert_ids)} alerts expected, "
        f"{len(seen)} on the topic, {counted}"
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
    committed = committed_at_fault(pipeline_env)

    start_worker(pipeline_env)
    assert replay.wait(timeout=120) == 0, replay_output(feed)
    seen = wait_for_every_alert(pipeline_env, feed)
    duplicates = duplicates_outside_the_uncommitted_window(pipeline_env, seen, committed)
    report("kill -9", feed, seen, duplicates, committed)
    assert not duplicates.unexplained, (
        f"duplicates for alerts committed before the kill: {duplicates.unexplained[:5]}"
    )
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
    committed = committed_at_fault(pipeline_env)

    assert replay.wait(timeout=120) == 0, replay_output(feed)
    seen = wait_for_every_alert(pipeline_env, feed)
    duplicates = duplicates_outside_the_uncommitted_window(pipeline_env, seen, committed)
    report("one of two workers killed", feed, seen, duplicates, committed)
    assert not duplicates.unexplained, (
        f"duplicates for alerts committed before the kill: {duplicates.unexplained[:5]}"
    )
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
    exited_ms = int(time.time() * 1000)
    assert exit_code == 0, worker.log.read_text()[-3000:]
    committed = committed_at_fault(pipeline_env)
    assert committed.articles, "the worker committed its progress before exiting"
    assert committed.requests or not stories_on(pipeline_env), "the stories agent committed its progress too"
    handled_before_the_stop = len(alert_ids_on_topic(pipeline_env))

    start_worker(pipeline_env)
    assert replay.wait(timeout=120) == 0, replay_output(feed)
    seen = wait_for_every_alert(pipeline_env, feed)
    duplicates = duplicates_outside_the_uncommitted_window(pipeline_env, seen, committed)
    report(f"SIGTERM (stopped in {stop_seconds:.1f} s)", feed, seen, duplicates, committed)
    assert not duplicates.unexplained, (
        f"duplicates for alerts committed before the stop: {duplicates.unexplained[:5]}"
    )
    # A graceful stop commits everything it handled: the next worker re-sends nothing the
    # stopped one published. (With stories on, the next worker was seen handling a few of
    # its own records twice, both times after its start, no rebalance logged: reported in
    # the README as open, and counted here, but it is not the stop's doing.)
    assert handled_before_the_stop > 0, "the stop landed after some alerts were published"
    repeated = alerts_published_again_after(pipeline_env, exited_ms)
    print(f"[SIGTERM] {duplicates.extra - len(repeated)} duplicates both published by the next worker")
    assert not repeated, f"{len(repeated)} alerts of the stopped worker sent again: {sorted(repeated)[:5]}"


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
