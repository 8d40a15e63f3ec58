"""Watch-lists published on the topic reach every running worker within 5 s, on the real broker.

The lists are published, republished and removed with the `newswatch watchlists` commands;
what the workers do is read from their alerts (with kcat) and their /metrics.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from newswatch.contracts import utc_now, yaml_sha256
from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.tagger.process import WorkerProcess
from newswatch.watchlist_topic import publishing
from newswatch.watchlist_topic.exceptions import OverLimits
from newswatch.watchlist_topic.publishing import prepare
from newswatch.watchlists.rules import budget
from tests.helpers.environment import run_newswatch
from tests.helpers.kafka import kcat_read, produce_raw, wait_for_records
from tests.helpers.watchlists import published_json, terms_yaml, write
from tests.helpers.workers import StartWorker

pytestmark = pytest.mark.integration

APPLY_SECONDS = 5.0


@pytest.fixture
def env(pipeline_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The test's pipeline, stories off (alerts straight to the alerts topic), and one file
    list `base` (on 'armistice') instead of the packaged ones, as the workers' file lists."""
    base = write(tmp_path, "base.yaml", terms_yaml("armistice", name="base"))
    return {
        **pipeline_env,
        "NEWSWATCH_STORIES_ENABLED": "false",
        "NEWSWATCH_WATCHLISTS": json.dumps([str(base)]),
    }


def newswatch(env: dict[str, str], *args: str, ok: bool = True) -> str:
    result = run_newswatch(env, *args)
    assert (result.returncode == 0) == ok, f"newswatch {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout + result.stderr


def publish(env: dict[str, str], folder: Path, *terms: str, version: str) -> datetime:
    """Publish the list `desk` on `terms` with the command; when it was published (its record's time)."""
    return publish_text(env, folder, terms_yaml(*terms, name="desk", version=version), version)


def publish_text(env: dict[str, str], folder: Path, text: str, version: str) -> datetime:
    """Publish the list `desk` written as `text` with the command; its record's time."""
    path = write(folder, "desk.yaml", text)
    out = newswatch(env, "watchlists", "publish", str(path), "--by", "ana@desk")
    assert f"published desk version {version} (sha256 {yaml_sha256(path.read_text())[:12]})" in out
    [(_, value)] = [
        item for item in kcat_read(env["NEWSWATCH_KAFKA_BOOTSTRAP"], topic(env)) if item[0] == "desk"
    ][-1:]
    return datetime.fromisoformat(json.loads(value)["published_at"])


def topic(env: dict[str, str]) -> str:
    return env["NEWSWATCH_WATCHLISTS_TOPIC"]


def wait_until_applied(
    workers: Sequence[WorkerProcess], version: str | None, published_at: float, timeout: float = 30.0
) -> list[float]:
    """Wait until every worker has `desk` at `version` (None: not in force); each one's
    seconds from `published_at` to its apply (its own last-change timestamp)."""
    deadline = time.monotonic() + timeout
    latencies = []
    for worker in workers:
        while (worker.lists_in_force().get("desk") or (None,))[0] != version:
            if worker.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"desk not at version {version} on the worker in time:\n{worker.log.read_text()[-3000:]}"
                )
            time.sleep(0.1)
        applied_at = worker.samples()[("newswatch_watchlists_loaded_timestamp_seconds", ())]
        latencies.append(applied_at - published_at)
    return latencies


def article(article_id: str, body: str, title: str = "News") -> tuple[bytes, bytes]:
    return article_id.encode(), json.dumps({"id": article_id, "title": title, "body": body}).encode()


def alerts_after(
    env: dict[str, str], *articles: tuple[str, str] | tuple[str, str, str], sentinel: str
) -> list[tuple[str, str]]:
    """Send `articles`, then a `sentinel` article only `base` matches, all on one partition in
    order; once the sentinel's alert is out, every article before it was tagged. The
    (article id, watch-list) of the alerts of these articles."""
    bootstrap = env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    produce_raw(
        bootstrap,
        env["NEWSWATCH_ARTICLES_TOPIC"],
        [*(article(*item) for item in articles), article(sentinel, "An armistice was signed.")],
    )
    ids = {item[0] for item in articles} | {sentinel}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [
            (key, json.loads(value)["watchlist"])
            for key, value in kcat_read(bootstrap, env["NEWSWATCH_ALERTS_TOPIC"])
        ]
        if (sentinel, "base") in found:
            return sorted(item for item in found if item[0] in ids and item[0] != sentinel)
        time.sleep(0.3)
    pytest.fail(f"no alert for the sentinel article {sentinel} within 60 s")


def test_publish_republish_garbage_and_remove_on_a_running_worker(
    env: dict[str, str], start_worker: StartWorker, tmp_path: Path
) -> None:
    worker = start_worker(env)
    assert worker.lists_in_force() == {"base": ("1", "file")}

    published_at = publish(env, tmp_path, "blockade", version="1")
    [latency] = wait_until_applied([worker], "1", published_at.timestamp())
    assert latency < APPLY_SECONDS
    assert alerts_after(
        env, ("fits-1", "The navy began a blockade."), ("other-1", "Talks resumed."), sentinel="s-1"
    ) == [("fits-1", "desk")]

    # Edited and published again: the new terms apply, the old ones no longer match.
    published_at = publish(env, tmp_path, "embargo", version="2")
    [latency] = wait_until_applied([worker], "2", published_at.timestamp())
    assert latency < APPLY_SECONDS
    assert alerts_after(
        env, ("old-2", "The navy began a blockade."), ("new-2", "An embargo on steel."), sentinel="s-2"
    ) == [("new-2", "desk")]

    # Garbage on the topic: logged with its key and reason, counted, nothing changes.
    bad_yaml = terms_yaml("embargo", name="desk") + "colour: blue\n"
    bad_record = json.loads(published_json(terms_yaml("embargo", name="desk")))
    bad_record.update(yaml=bad_yaml, sha256=yaml_sha256(bad_yaml))
    produce_raw(
        env["NEWSWATCH_KAFKA_BOOTSTRAP"],
        topic(env),
        [
            (b"desk", b"not json"),
            (b"desk", b'{"name": "desk", "yaml": ": ["}'),
            (b"desk", json.dumps(bad_record).encode()),
        ],
    )
    deadline = time.monotonic() + 10
    while worker.samples()[("newswatch_watchlist_topic_records_total", (("result", "invalid"),))] < 3:
        assert time.monotonic() < deadline, worker.log.read_text()[-3000:]
        time.sleep(0.2)
    assert worker.process.poll() is None
    assert worker.lists_in_force() == {"base": ("1", "file"), "desk": ("2", "topic")}
    log = worker.log.read_text()
    assert "(key 'desk'): the value is not JSON" in log
    assert "(key 'desk'): not a valid PublishedWatchlist" in log
    assert f"{topic(env)}[desk]:12: unknown setting 'colour'" in log
    assert alerts_after(env, ("still-3", "An embargo on steel."), sentinel="s-3") == [("still-3", "desk")]

    listed = newswatch(env, "watchlists", "list").splitlines()
    sha = yaml_sha256(terms_yaml("embargo", name="desk", version="2"))[:12]
    assert listed[0].split() == ["NAME", "VERSION", "SHA256", "ORIGIN", "PUBLISHED", "BY", "PUBLISHED", "AT"]
    [desk] = [line.split() for line in listed if line.startswith("desk ")]
    assert desk[:6] == ["desk", "2", sha, "topic", topic(env), "ana@desk"]
    assert datetime.fromisoformat(desk[6]) == published_at.replace(microsecond=0)
    [base] = [line.split() for line in listed if line.startswith("base ")]
    assert base[:5] == ["base", "1", base[2], "file", env["NEWSWATCH_WATCHLISTS"][2:-2]]

    removed_at = time.time()
    out = newswatch(env, "watchlists", "remove", "desk")
    assert f"removed desk from {topic(env)}" in out
    wait_until_applied([worker], None, removed_at)
    assert alerts_after(env, ("gone-4", "An embargo on steel."), sentinel="s-4") == []

    out = newswatch(env, "watchlists", "remove", "desk", ok=False)
    assert f"not on {topic(env)}: desk; nothing was removed" in out


# The example query; `near` is the distance a version allows.
QUERY = '("Acme Dynamics" OR acme*) NEAR/{near} (shipment* OR deliver* OR export*) AND NOT title:parody'
FITS = "Acme Dynamics confirmed the shipment of drones to the port."
# 12 words between "Acme" and "shipment": too far for NEAR/6, close enough for NEAR/12.
FAR = "Acme said on Monday that, after a long and costly wait, the first shipment left."


def query_yaml(near: int, version: str) -> str:
    return f"name: desk\nversion: '{version}'\nquery: '{QUERY.format(near=near)}'\n"


def query_articles(phase: str) -> list[tuple[str, str, str]]:
    """(id, body, title): the one that fits, one too far for NEAR/6, one the NOT excludes,
    one without a pair."""
    return [
        (f"fits-{phase}", FITS, "News"),
        (f"far-{phase}", FAR, "News"),
        (f"parody-{phase}", FITS, "A parody of Acme"),
        (f"none-{phase}", "Acme Dynamics opened a new office.", "News"),
    ]


def test_a_published_query_list_alerts_on_what_fits_applies_its_edit_and_stops_when_removed(
    env: dict[str, str], start_worker: StartWorker, tmp_path: Path
) -> None:
    worker = start_worker(env)
    published_at = publish_text(env, tmp_path, query_yaml(6, "1"), version="1")
    [latency] = wait_until_applied([worker], "1", published_at.timestamp())
    assert latency < APPLY_SECONDS
    assert alerts_after(env, *query_articles("1"), sentinel="s-1") == [("fits-1", "desk")]
    [alert] = [
        json.loads(value)
        for key, value in kcat_read(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_ALERTS_TOPIC"])
        if key == "fits-1"
    ]
    assert [(item["term"], item["text"], item["start"]) for item in alert["evidence"]] == [
        ("Acme Dynamics", "Acme Dynamics", 0),
        ("shipment*", "shipment", 28),
    ]

    # NEAR/6 edited to NEAR/12 and published again: the far pair now fits, the NOT still excludes.
    published_at = publish_text(env, tmp_path, query_yaml(12, "2"), version="2")
    [latency] = wait_until_applied([worker], "2", published_at.timestamp())
    assert latency < APPLY_SECONDS
    assert alerts_after(env, *query_articles("2"), sentinel="s-2") == [("far-2", "desk"), ("fits-2", "desk")]

    removed_at = time.time()
    newswatch(env, "watchlists", "remove", "desk")
    [latency] = wait_until_applied([worker], None, removed_at)
    assert latency < APPLY_SECONDS
    assert alerts_after(env, *query_articles("3"), sentinel="s-3") == []


def test_two_workers_apply_every_change_and_a_late_worker_starts_with_the_list(
    env: dict[str, str], start_worker: StartWorker, tmp_path: Path
) -> None:
    # Published before any worker runs, with an article waiting: the first worker must
    # have the list before it tags that article.
    publish(env, tmp_path, "blockade", version="1")
    produce_raw(
        env["NEWSWATCH_KAFKA_BOOTSTRAP"],
        env["NEWSWATCH_ARTICLES_TOPIC"],
        [article("first", "A blockade began.")],
    )
    first = start_worker(env)
    [(key, alert)] = wait_for_records(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_ALERTS_TOPIC"], 1)
    assert (key, alert["watchlist"]) == ("first", "desk")
    second = start_worker({**env, "NEWSWATCH_METRICS_PORT": str(int(env["NEWSWATCH_METRICS_PORT"]) + 1)})
    assert second.lists_in_force()["desk"] == ("1", "topic")

    published_at = publish(env, tmp_path, "embargo", version="2")
    latencies = wait_until_applied([first, second], "2", published_at.timestamp())
    assert max(latencies) < APPLY_SECONDS, latencies

    removed_at = time.time()
    newswatch(env, "watchlists", "remove", "desk")
    latencies = wait_until_applied([first, second], None, removed_at)
    assert max(latencies) < APPLY_SECONDS, latencies
    for worker in (first, second):
        assert worker.lists_in_force() == {"base": ("1", "file")}


def test_newswatch_topics_creates_the_watchlists_topic_compacted_with_one_partition(
    env: dict[str, str],
) -> None:
    out = newswatch(env, "topics")
    assert topic(env) in out

    async def describe() -> tuple[int, dict[str, str]]:
        admin = AIOKafkaAdminClient(bootstrap_servers=env["NEWSWATCH_KAFKA_BOOTSTRAP"])
        await admin.start()
        try:
            [described] = await admin.describe_topics([topic(env)])
            [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic(env))])
        finally:
            await admin.close()
        [resource] = response.resources
        return len(described["partitions"]), {entry[0]: entry[1] for entry in resource[4]}

    partitions, configs = asyncio.run(describe())
    assert partitions == 1
    assert configs["cleanup.policy"] == "compact"
    assert int(configs["max.message.bytes"]) > 8 * 1024 * 1024


def test_a_publish_the_workers_would_refuse_for_what_the_lists_hold_is_not_sent(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(env, tmp_path, "blockade", version="1")  # one word on the topic
    more = write(tmp_path, "more.yaml", terms_yaml("embargo", "tariff", name="more"))
    records = prepare([more], "ana@desk", utc_now())
    # The limit lowered from 1,000,000 uses of words so that two lists pass it: in-process,
    # against the real broker, as the command runs it.
    monkeypatch.setattr(budget, "MAX_WORD_USES", 2)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    connection = KafkaConnection.from_settings(Settings())

    with pytest.raises(OverLimits) as refused:
        asyncio.run(publishing.publish(connection, topic(env), records))
    assert "more: with it the lists would hold 3 uses of words by their rules, over the limit of 2" in str(
        refused.value
    )
    assert [key for key, _ in kcat_read(env["NEWSWATCH_KAFKA_BOOTSTRAP"], topic(env))] == ["desk"]
