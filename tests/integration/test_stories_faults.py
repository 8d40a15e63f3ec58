"""Stories and spikes on the real broker: copies across workers, kill -9, a replayed surge.

Each test replays articles written here (distinct stories and their syndicated copies,
see tests/integration/generated.py), reads news.stories, news.spikes and news.alerts
with kcat, and checks them against what the articles are by construction: which
original each copy was made from, and in which hour each story was published. Which
watch-lists an article alerts is taken from `newswatch tag` over the same files.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiokafka.partitioner import murmur2

from newswatch.stories.fingerprint import fingerprint, same_story
from tests.helpers.environment import free_port, newswatch_command, run_newswatch
from tests.helpers.kafka import _kcat_consume, kcat_positions, kcat_read, wait_for_keys
from tests.helpers.paths import REPO_ROOT
from tests.helpers.workers import StartWorker
from tests.integration.generated import distinct_story, syndicated_copies
from tests.integration.test_faults import committed_offsets, wait_for_stable_group

pytestmark = [pytest.mark.integration, pytest.mark.stories]

HOUR = timedelta(hours=1)
PARTITIONS = 4  # of the test's topics (pipeline_env)


@dataclass(frozen=True)
class Story:
    """One original and its copies, as written to the articles topic."""

    original: dict[str, Any]
    copies: list[dict[str, Any]]


def article(article_id: str, title: str, body: str, published_at: datetime) -> dict[str, Any]:
    return {
        "id": article_id,
        "title": title,
        "body": body,
        "language": "en",
        "published_at": published_at.isoformat(),
    }


def stories_with_copies(prefix: str, topics: dict[str, int]) -> list[Story]:
    """`topics[t]` originals on each topic of `distinct_story`, each with its syndicated copies
    (published a few minutes later); checked offline to be copies, and the originals distinct."""
    published_at = datetime.now(UTC) - 2 * HOUR
    stories = []
    for topic, count in topics.items():
        for n in range(count):
            title, body = distinct_story(n, topic)
            original = article(f"{prefix}-{topic[:4]}-{n}", title, body, published_at)
            copies = [
                article(
                    f"{original['id']}-{kind}", copy_title, copy_body, published_at + timedelta(minutes=5)
                )
                for kind, (copy_title, copy_body) in syndicated_copies(title, body).items()
            ]
            # At least one copy on another partition than its original (the ids decide it).
            while len({partition_of(a["id"]) for a in [original, *copies]}) < 2:
                copies[-1]["id"] += "-x"
            stories.append(Story(original, copies))
    prints = [fingerprint(s.original["title"], s.original["body"]) for s in stories]
    for story, printed in zip(stories, prints, strict=True):
        assert all(same_story(printed, fingerprint(c["title"], c["body"])) for c in story.copies), (
            f"the generated copies of {story.original['id']} are copies by the fingerprint's own rule"
        )
    assert not any(same_story(a, b) for i, a in enumerate(prints) for b in prints[i + 1 :]), (
        "the generated originals are distinct stories"
    )
    return stories


@dataclass(frozen=True)
class Feed:
    """The originals' and the copies' files, and the watch-lists `newswatch tag` gives each article."""

    stories: list[Story]
    originals: Path
    copies: Path
    expected: dict[str, set[str]]

    @classmethod
    def write(cls, folder: Path, stories: list[Story]) -> Feed:
        originals = write_jsonl(folder / "originals.jsonl", [s.original for s in stories])
        copies = write_jsonl(folder / "copies.jsonl", [c for s in stories for c in s.copies])
        return cls(stories, originals, copies, offline_watchlists(originals) | offline_watchlists(copies))


def partition_of(key: str) -> int:
    """The partition the replayer's producer (the default partitioner) sends `key` to."""
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % PARTITIONS


def write_jsonl(path: Path, articles: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


def offline_watchlists(path: Path) -> dict[str, set[str]]:
    """Article id -> the watch-lists `newswatch tag` alerts it for (the offline reference)."""
    offline = subprocess.run(
        newswatch_command("tag", str(path)), capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    found: dict[str, set[str]] = defaultdict(set)
    for line in offline.stdout.splitlines():
        alert = json.loads(line)
        found[alert["article_id"]].add(alert["watchlist"])
    return dict(found)


def replay(env: dict[str, str], path: Path) -> None:
    result = run_newswatch(env, "replay", str(path))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def story_events(env: dict[str, str]) -> list[dict[str, Any]]:
    return [
        json.loads(value)
        for _, value in kcat_read(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_STORIES_TOPIC"])
    ]


def spikes_on_topic(env: dict[str, str]) -> list[dict[str, Any]]:
    return [
        json.loads(value)
        for _, value in kcat_read(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_SPIKES_TOPIC"])
    ]


def wait_for_story_events(
    env: dict[str, str],
    expected: dict[str, set[str]],
    timeout: float = 120.0,
    context: Callable[[], str] = lambda: "",
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Until every (article, watch-list) in `expected` has a story event; all events by that pair."""
    wanted = {(article_id, watchlist) for article_id, lists in expected.items() for watchlist in lists}
    deadline = time.monotonic() + timeout
    while True:
        by_pair: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for event in story_events(env):
            by_pair[(event["article_id"], event["watchlist"])].append(event)
        missing = wanted - by_pair.keys()
        if not missing:
            return by_pair
        if time.monotonic() > deadline:
            pytest.fail(
                f"{len(missing)} of {len(wanted)} story events never arrived, e.g. {sorted(missing)[:3]}"
                + context()
            )
        time.sleep(1.0)


def decided(events: dict[tuple[str, str], list[dict[str, Any]]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(article, watch-list) -> (story id, kind), asserting that a re-sent event repeats the decision."""
    decisions = {}
    for pair, sent in events.items():
        seen = {(event["story_id"], event["kind"]) for event in sent}
        assert len(seen) == 1, f"{pair} was decided differently when its event was sent again: {seen}"
        decisions[pair] = seen.pop()
    return decisions


def assert_copies_joined_their_originals(
    stories: list[Story], expected: dict[str, set[str]], events: dict[tuple[str, str], list[dict[str, Any]]]
) -> dict[str, int]:
    """Every copy's event names its original's story; one `new` per story and watch-list.

    Returns the number of story events per kind (re-sent ones included)."""
    decisions = decided(events)
    for story in stories:
        original = story.original["id"]
        lists = expected[original]
        assert lists, f"{original} alerts some watch-list"
        for watchlist in lists:
            assert decisions[(original, watchlist)] == (original, "new"), (
                f"the original {original} opened its own story in {watchlist}"
            )
            for copy in story.copies:
                assert expected[copy["id"]] == lists, f"{copy['id']} alerts what its original alerts"
                assert decisions[(copy["id"], watchlist)] == (original, "copy"), (
                    f"{copy['id']} joined the story of {original} in {watchlist}"
                )
    openers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (article_id, watchlist), (story_id, kind) in decisions.items():
        if kind == "new":
            openers[(watchlist, story_id)].add(article_id)
    assert all(len(articles) == 1 for articles in openers.values()), (
        "exactly one `new` per story and watch-list"
    )
    counts: dict[str, int] = defaultdict(int)
    for sent in events.values():
        for event in sent:
            counts[event["kind"]] += 1
    return dict(counts)


def assert_alerts_carry_story_ids(
    env: dict[str, str], events: dict[tuple[str, str], list[dict[str, Any]]]
) -> None:
    decisions = decided(events)
    alerts = [
        json.loads(v) for _, v in kcat_read(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_ALERTS_TOPIC"])
    ]
    assert {(a["article_id"], a["watchlist"]) for a in alerts} == decisions.keys(), (
        "one alert per story event"
    )
    for alert in alerts:
        assert alert["story_id"] == decisions[(alert["article_id"], alert["watchlist"])][0], (
            f"the alert of {alert['article_id']} in {alert['watchlist']} carries its story id"
        )


def second_worker_env(env: dict[str, str], state_dir: Path) -> dict[str, str]:
    return {**env, "NEWSWATCH_METRICS_PORT": str(free_port()), "NEWSWATCH_STATE_DIR": str(state_dir)}


def test_copies_on_other_partitions_and_workers_join_their_originals_story(
    pipeline_env: dict[str, str], start_worker: StartWorker, tmp_path: Path, unique_name: str
) -> None:
    feed = Feed.write(tmp_path, stories_with_copies(unique_name, {"korean_peninsula": 8, "sanctions": 4}))
    stories, originals, copies, expected = feed.stories, feed.originals, feed.copies, feed.expected
    workers = [start_worker(pipeline_env), start_worker(second_worker_env(pipeline_env, tmp_path / "second"))]
    wait_for_stable_group(pipeline_env, members=2)

    # The originals first: which of two copies on two partitions opens a story would be a race.
    replay(pipeline_env, originals)
    wait_for_story_events(pipeline_env, {s.original["id"]: expected[s.original["id"]] for s in stories})
    replay(pipeline_env, copies)
    events = wait_for_story_events(pipeline_env, expected)

    counts = assert_copies_joined_their_originals(stories, expected, events)
    assert_alerts_carry_story_ids(pipeline_env, events)
    positions = kcat_positions(
        pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"], pipeline_env["NEWSWATCH_ARTICLES_TOPIC"]
    )
    spread = [
        len({positions[a["id"]][0] for a in [s.original, *s.copies]}) for s in stories
    ]  # partitions each story's articles landed on
    consumed = [int(w.samples().get(("newswatch_articles_consumed_total", ()), 0)) for w in workers]
    print(
        f"\n[copies across workers] {len(stories)} originals, {sum(len(s.copies) for s in stories)} copies, "
        f"{len(events)} (article, watch-list) pairs, events by kind {counts}, partitions per story {spread}, "
        f"articles consumed per worker {consumed}"
    )
    assert all(n >= 2 for n in spread), "every story's articles landed on two partitions or more"
    assert all(n > 0 for n in consumed), "both workers tagged articles"


def topic_lag(env: dict[str, str], topic: str) -> dict[int, int]:
    """Per partition of `topic`: its end offset (read with kcat) minus the group's committed offset."""
    ends: dict[int, int] = {}
    for line in _kcat_consume(env["NEWSWATCH_KAFKA_BOOTSTRAP"], topic, "%p %o\\n"):
        partition, offset = (int(field) for field in line.split())
        ends[partition] = max(ends.get(partition, 0), offset + 1)
    committed = committed_offsets(env, topic)
    return {partition: end - committed.get(partition, 0) for partition, end in ends.items()}


def wait_for_zero_lag(env: dict[str, str], topics: list[str], timeout: float = 60.0) -> float:
    """Until the group has committed everything on `topics`; the seconds it took (Faust #596:
    a recovery race can leave a partition's commits stuck for good)."""
    started = time.monotonic()
    while True:
        lags = {topic: topic_lag(env, topic) for topic in topics}
        if not any(lag for lag_of in lags.values() for lag in lag_of.values()):
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            pytest.fail(f"the group's commits are stuck after the restart: lag {lags} after {timeout:.0f} s")
        time.sleep(1.0)


def test_copies_after_kill_9_join_the_stories_opened_before_it(
    pipeline_env: dict[str, str], start_worker: StartWorker, tmp_path: Path, unique_name: str
) -> None:
    feed = Feed.write(tmp_path, stories_with_copies(unique_name, {"korean_peninsula": 10, "sanctions": 4}))
    stories, originals, copies, expected = feed.stories, feed.originals, feed.copies, feed.expected
    request_topic = f"{pipeline_env['NEWSWATCH_APP_ID']}-stories-by-watchlist"
    changelog = f"{pipeline_env['NEWSWATCH_APP_ID']}-stories-changelog"

    worker = start_worker(pipeline_env)
    wait_for_stable_group(pipeline_env, members=1)
    replay(pipeline_env, originals)
    wait_for_story_events(pipeline_env, {s.original["id"]: expected[s.original["id"]] for s in stories})
    # The story events can reach the broker before the table's changelog writes do (both
    # leave through the producer's buffers): kill only once every opened story is in it.
    opened = {
        f"story/{quote(watchlist, safe='')}/{story.original['id']}"
        for story in stories
        for watchlist in expected[story.original["id"]]
    }
    changelog_records = len(wait_for_keys(pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"], changelog, opened))
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait()
    committed_at_kill = {
        topic: committed_offsets(pipeline_env, topic)
        for topic in (pipeline_env["NEWSWATCH_ARTICLES_TOPIC"], request_topic)
    }

    # A new worker with an empty state folder: the stories come back from the changelog alone.
    restarted = start_worker(second_worker_env(pipeline_env, tmp_path / "after-kill"))
    replay(pipeline_env, copies)
    topics = [pipeline_env["NEWSWATCH_ARTICLES_TOPIC"], request_topic]

    def progress() -> str:
        consumed = restarted.samples().get(("newswatch_articles_consumed_total", ()), 0)
        lags = {topic: topic_lag(pipeline_env, topic) for topic in topics}
        return f"; the new worker consumed {consumed:.0f} articles; lag per partition {lags}"

    events = wait_for_story_events(pipeline_env, expected, context=progress)
    counts = assert_copies_joined_their_originals(stories, expected, events)
    lag_seconds = wait_for_zero_lag(pipeline_env, topics)
    print(
        f"\n[stories kill -9] {len(stories)} originals before the kill "
        f"({changelog_records} changelog records, "
        f"committed at the kill {committed_at_kill}), {sum(len(s.copies) for s in stories)} copies after it: "
        f"events by kind {counts}; lag 0 on both topics {lag_seconds:.1f} s after the copies' events"
    )
    restarted.stop()


def timeline(
    prefix: str, start: datetime, hours: range, per_hour: Callable[[int], int], first: int
) -> list[dict[str, Any]]:
    """Distinct korean_peninsula stories, `per_hour(h)` in each hour h, spread over the hour."""
    articles = []
    n = first
    for hour in hours:
        count = per_hour(hour)
        for k in range(count):
            title, body = distinct_story(n)
            at = start + hour * HOUR + timedelta(minutes=(k + 1) * 55 // (count + 1))
            articles.append(article(f"{prefix}-{n:04d}", title, body, at))
            n += 1
    return articles


BURST_HOUR = 26  # after the 24-hour warm-up of a watch-list's spike detector
BURST_STORIES = 15


def test_a_replayed_surge_raises_one_spike_at_its_hour_and_none_before(
    pipeline_env: dict[str, str], start_worker: StartWorker, tmp_path: Path, unique_name: str
) -> None:
    start = (datetime.now(UTC) - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    quiet = timeline(unique_name, start, range(BURST_HOUR), lambda hour: 1 + hour % 2, first=0)
    burst = timeline(
        unique_name, start, range(BURST_HOUR, BURST_HOUR + 1), lambda _: BURST_STORIES, len(quiet)
    )
    after = timeline(
        unique_name, start, range(BURST_HOUR + 1, BURST_HOUR + 4), lambda _: 2, len(quiet) + len(burst)
    )
    files = {
        name: write_jsonl(tmp_path / f"{name}.jsonl", part)
        for name, part in (("quiet", quiet), ("burst", burst), ("after", after))
    }
    expected = {name: offline_watchlists(path) for name, path in files.items()}
    for name, part in (("quiet", quiet), ("burst", burst), ("after", after)):
        assert all(expected[name].get(a["id"]) == {"korean_peninsula"} for a in part), (
            f"every {name} story alerts korean_peninsula alone"
        )

    start_worker(pipeline_env)
    wait_for_stable_group(pipeline_env, members=1)
    # Phase by phase: within one replay the partitions' order interleaves, and a story of a
    # later hour handled first would make the rest of its replay late (late stories raise nothing).
    for name in ("quiet", "burst", "after"):
        replay(pipeline_env, files[name])
        events = wait_for_story_events(pipeline_env, expected[name])
        if name == "quiet":
            time.sleep(2.0)  # a spike would be sent with its story's event; give it time to land
            assert spikes_on_topic(pipeline_env) == [], "no spike during the quiet baseline"
    time.sleep(2.0)

    events = wait_for_story_events(
        pipeline_env, {k: v for part in expected.values() for k, v in part.items()}
    )
    kinds = {kind for _, kind in decided(events).values()}
    assert kinds == {"new"}, "distinct stories, none a copy of another"
    spikes = spikes_on_topic(pipeline_env)
    distinct = {spike["spike_id"]: spike for spike in spikes}
    burst_start = start + BURST_HOUR * HOUR
    print(
        f"\n[spike timeline] {len(quiet)} quiet stories over {BURST_HOUR} h, "
        f"{BURST_STORIES} in hour {BURST_HOUR}, "
        f"{len(after)} after: {len(spikes)} spike records, "
        + "; ".join(
            f"{s['watchlist']} {s['window_start']}..{s['window_end']} "
            f"count {s['count']} baseline {s['baseline']:.2f}"
            for s in distinct.values()
        )
    )
    assert len(distinct) == 1, f"exactly one spike, got {len(distinct)}"
    [spike] = distinct.values()
    assert spike["watchlist"] == "korean_peninsula"
    assert datetime.fromisoformat(spike["window_start"]) == burst_start
    assert datetime.fromisoformat(spike["window_end"]) == burst_start + HOUR
    burst_ids = {a["id"] for a in burst}
    quoted = {entry["story_id"] for entry in spike["stories"]}
    assert quoted and quoted <= burst_ids, (
        f"the spike quotes burst stories only: {sorted(quoted - burst_ids)}"
    )
    assert spike["count"] >= 5 and spike["count"] <= BURST_STORIES
