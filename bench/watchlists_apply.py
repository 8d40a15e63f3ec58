"""Publish-to-apply latency of the watch-lists topic across two running workers.

Starts two `newswatch worker` processes in one group on the real broker (fresh topics,
the packaged watch-lists as their files), then publishes the list `bench_desk` N times,
each time a new version with other terms, the way `newswatch watchlists publish` does
(acks=all, keyed by name). After each publish it waits until both workers report the new
version in `newswatch_watchlist_in_force_info`, and takes each worker's apply time from
its own `newswatch_watchlists_loaded_timestamp_seconds` (set when the new engine is
swapped in), so the polling interval does not count:

    latency = worker's apply timestamp - the record's published_at (set just before sending)

It prints the median and the maximum per worker. Usage:

    .venv/bin/python bench/watchlists_apply.py [--publishes 20]

NEWSWATCH_KAFKA_BOOTSTRAP (default 127.0.0.1:9092) names the broker; topics are deleted after.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaProducer
from kafka_bench import Topics, Worker, wait_group_stable, workers

from newswatch.contracts import utc_now
from newswatch.kafka.admin import delete_topics, wait_for_broker
from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.watchlist_topic.records import encode, published_record
from newswatch.watchlists.rules.loader import read_watchlist_text

REPO = Path(__file__).resolve().parent.parent
NAME = "bench_desk"
APPLY_TIMEOUT_S = 30.0
POLL_S = 0.02


def watchlist_text(version: int) -> str:
    """Version `version` of the benchmark's list: a few rules on terms of its own."""
    rules = "".join(
        f"  - name: rule {rule}\n    weight: 1.0\n    any:\n      en:\n"
        + "".join(f"        - term{version}x{rule}x{word}\n" for word in range(20))
        for rule in range(5)
    )
    return (
        f'name: {NAME}\ndescription: Benchmark list.\nversion: "{version}"\nowner: bench\n'
        f"threshold: 1.0\nrules:\n{rules}"
    )


def applied_at(worker: Worker, version: str) -> float | None:
    """The worker's apply timestamp once it has `version` of the list in force, else None."""
    samples = worker.process.samples()
    in_force = {
        dict(labels).get("watchlist"): dict(labels).get("version")
        for (name, labels), value in samples.items()
        if name == "newswatch_watchlist_in_force_info" and value == 1
    }
    if in_force.get(NAME) != version:
        return None
    return samples[("newswatch_watchlists_loaded_timestamp_seconds", ())]


async def measure(
    connection: KafkaConnection, topic: str, started: list[Worker], publishes: int
) -> list[list[float]]:
    """Per worker, the latency of each publish (seconds)."""
    latencies: list[list[float]] = [[] for _ in started]
    producer = AIOKafkaProducer(**connection.client_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for version in range(1, publishes + 1):
            text = watchlist_text(version)
            watchlist = read_watchlist_text(Path(f"{NAME}.yaml"), text)
            record = published_record(
                watchlist, text, source=None, published_by="bench", published_at=utc_now()
            )
            key, value = encode(record)
            await producer.send_and_wait(topic, key=key, value=value)
            published = record.published_at.timestamp()
            deadline = time.monotonic() + APPLY_TIMEOUT_S
            pending = dict(enumerate(started))
            while pending:
                for number, worker in list(pending.items()):
                    worker.check_alive()
                    at = await asyncio.to_thread(applied_at, worker, str(version))
                    if at is not None:
                        latencies[number].append(at - published)
                        del pending[number]
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"version {version} not applied by workers {sorted(pending)} in {APPLY_TIMEOUT_S} s"
                    )
                await asyncio.sleep(POLL_S)
    finally:
        await producer.stop()
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publishes", type=int, default=20, help="how many versions to publish (default 20)")
    args = parser.parse_args()
    settings = Settings()
    connection = KafkaConnection.from_settings(settings)
    await wait_for_broker(connection, 30.0)
    topics = Topics(connection, partitions=4, replication_factor=1)
    articles, alerts, dead_letters = await topics.fresh("articles", "alerts", "dlq")
    watchlists = f"{topics.prefix}.watchlists"  # created by the workers, compacted
    with tempfile.TemporaryDirectory(prefix="watchlists-apply-") as folder:
        env = {
            "NEWSWATCH_KAFKA_BOOTSTRAP": settings.bootstrap_servers,
            "NEWSWATCH_ARTICLES_TOPIC": articles,
            "NEWSWATCH_ALERTS_TOPIC": alerts,
            "NEWSWATCH_DEAD_LETTER_TOPIC": dead_letters,
            "NEWSWATCH_WATCHLISTS_TOPIC": watchlists,
            "NEWSWATCH_STORIES_ENABLED": "false",
            "NEWSWATCH_APP_ID": f"{topics.prefix}.group",
            "NEWSWATCH_STATE_DIR": str(Path(folder) / "state"),
            "NEWSWATCH_LOG_LEVEL": "warning",
        }
        try:
            async with workers(2, env, Path(folder), REPO) as started:
                # Running workers: both in the group, its rebalance over (the start of the second
                # worker would otherwise be measured with the first publish).
                await wait_group_stable(connection, env["NEWSWATCH_APP_ID"], 2, 60.0)
                latencies = await measure(connection, watchlists, started, args.publishes)
        finally:
            await topics.delete_all()
            await delete_topics(connection, [watchlists])
    print(
        f"publish-to-apply latency of {args.publishes} publishes of {NAME} (100 terms), "
        "with the packaged lists in force:"
    )
    for number, values in enumerate(latencies):
        print(
            f"  worker {number + 1}: median {statistics.median(values) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms (first publish {values[0] * 1000:.0f} ms)"
        )
    every = [value for values in latencies for value in values]
    print(f"  both: median {statistics.median(every) * 1000:.0f} ms, max {max(every) * 1000:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
