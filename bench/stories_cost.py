"""What the stories stage costs: worker throughput with stories on against off, in one run.

    python bench/stories_cost.py [--corpus synthetic|real] [--articles N] [--repeats R]
                                 [--workers 1] [--json bench/results/stories_cost.json]

Not a test: prints articles/s with NEWSWATCH_STORIES_ENABLED=false and =true (medians of
--repeats runs, interleaved off, on, off, on ... so that drift on a shared machine hits
both alike), and the cost: 1 - on/off. Target (issue 11): at most 25 %.

Timed as bench/pipeline.py times the tagger (`measure_tagger`): from the first article sent
to the last expected alert read back from the alerts topic. With stories on, every alert
goes through the repartition topic and the stories agent before it reaches the alerts
topic, so the figure includes the whole stage: fingerprinting in the tagging thread, the
extra hop through Kafka, the table and its changelog, the story and spike events.

Two corpora. `synthetic` is bench/engine.py's (~3 KB articles; 0.77 alerts per article);
its news sentences repeat, so most alerted articles are copies of a few stories per
language and watch-list: the stage's busiest case (every copy rewrites its story's record).
`real` is ../shared/corpus/real-news.jsonl, read at run time and fed round after round
under new ids and outlets (each round a syndicated copy of the last; 0.5 alerts per article).
Every run gets fresh topics and a fresh group; all topics it created, the worker-created
repartition and changelog topics included, are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from engine import corpus  # bench/engine.py: the generated multilingual corpus
from kafka_bench import Bench, Topics, encode
from pipeline import measure_engine, measure_tagger, start_local_broker

from newswatch.contracts import Article
from newswatch.kafka.admin import delete_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.kafka.local_broker import find_deploy_dir
from newswatch.settings import Settings

BENCH_DIR = Path(__file__).resolve().parent
REAL_NEWS = BENCH_DIR.parents[1] / "shared" / "corpus" / "real-news.jsonl"
TARGET_COST = 0.25


@dataclass
class StoriesBench(Bench):
    """A `Bench` whose workers get extra settings: the stories switch and their topics."""

    stories_env: dict[str, str] = field(default_factory=dict)

    def worker_env(self, articles: str, alerts: str, dead_letters: str, group: str) -> dict[str, str]:
        return {**super().worker_env(articles, alerts, dead_letters, group), **self.stories_env}


async def measure(bench: StoriesBench, stories: bool, workers: int) -> float:
    """Articles/s through `workers` workers with the stories stage on or off."""
    stories_topic, spikes_topic = await bench.topics.fresh("stories", "spikes")
    bench.stories_env = {
        "NEWSWATCH_STORIES_ENABLED": "true" if stories else "false",
        "NEWSWATCH_STORIES_TOPIC": stories_topic,
        "NEWSWATCH_SPIKES_TOPIC": spikes_topic,
    }
    try:
        return (await measure_tagger(bench, workers)).articles_per_s
    finally:
        await bench.topics.delete([stories_topic, spikes_topic])


def real_news(count: int, path: Path = REAL_NEWS) -> list[Article]:
    """`count` articles: the real corpus round after round, each round under new ids and outlets."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        Article(
            id=f"bench-{n // len(rows)}-{row['id']}",  # the readers count keys starting "bench-"
            title=row.get("title") or "",
            body=row["text"],
            language=row.get("lang"),
            source=f"outlet-{n // len(rows)}",
        )
        for n, row in ((n, rows[n % len(rows)]) for n in range(count))
    ]


async def delete_leftovers(connection: KafkaConnection, prefix: str) -> None:
    """The topics the workers created themselves (repartition, changelog) under our prefix."""
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
    await admin.start()
    try:
        names = [name for name in await admin.list_topics() if name.startswith(prefix)]
    finally:
        await admin.close()
    await delete_topics(connection, names)


async def run(args: argparse.Namespace, settings: Settings) -> dict[str, list[float]]:
    connection = KafkaConnection.from_settings(settings)
    folder = Path(tempfile.mkdtemp(prefix="newswatch-stories-cost-"))
    topics = Topics(connection, args.partitions, settings.topic_replication_factor)
    base = corpus(args.articles) if args.corpus == "synthetic" else real_news(args.articles)
    _, _, counts = measure_engine(base, 1)
    warmups = [a.model_copy(update={"id": f"warmup-{n}"}) for n, a in enumerate(corpus(8, seed=99))]
    bench = StoriesBench(
        connection,
        topics,
        folder,
        find_deploy_dir().parents[1],
        encode(base),
        sum(counts),
        counts,
        base,
        encode(warmups[: 2 * args.partitions]),
    )
    samples: dict[str, list[float]] = {"off": [], "on": []}
    print(
        f"{args.corpus}: {len(base)} articles, {sum(counts)} alerts, "
        f"{args.workers} worker(s), {args.partitions} partitions",
        flush=True,
    )
    try:
        for repeat in range(1, args.repeats + 1):
            for label, stories in (("off", False), ("on", True)):
                samples[label].append(await measure(bench, stories, args.workers))
            print(
                f"repeat {repeat}/{args.repeats}: stories off {samples['off'][-1]:,.0f} art/s, "
                f"on {samples['on'][-1]:,.0f} art/s",
                flush=True,
            )
    except BaseException:
        print(f"worker logs kept in {folder}", file=sys.stderr, flush=True)
        raise
    finally:
        await topics.delete_all()
        await delete_leftovers(connection, topics.prefix)
    shutil.rmtree(folder, ignore_errors=True)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", choices=("synthetic", "real"), default="synthetic")
    parser.add_argument("--articles", type=int, default=5000, help="corpus size per run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--workers", type=int, default=1, help="workers in the group")
    parser.add_argument("--partitions", type=int, default=4, help="partitions of every topic")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "results" / "stories_cost.json")
    args = parser.parse_args()

    settings = Settings()
    broker = start_local_broker(settings)
    started = time.monotonic()
    try:
        samples = asyncio.run(run(args, settings))
    except KeyboardInterrupt:
        raise SystemExit("interrupted: its workers are stopped and its topics deleted") from None
    finally:
        if broker is not None:
            broker.down()
    off, on = statistics.median(samples["off"]), statistics.median(samples["on"])
    cost = 1 - on / off
    verdict = "within" if cost <= TARGET_COST else "OVER"
    print(
        f"\nstories off {off:,.0f} articles/s, on {on:,.0f} articles/s (medians of {args.repeats}): "
        f"on/off {on / off:.2f}, the stage costs {cost:.0%} ({verdict} the {TARGET_COST:.0%} target)"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "args": {k: str(v) for k, v in vars(args).items()},
                "samples_articles_per_s": samples,
                "median_off": off,
                "median_on": on,
                "cost": cost,
                "seconds": time.monotonic() - started,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"raw samples: {args.json}")


if __name__ == "__main__":
    main()
