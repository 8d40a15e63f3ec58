"""One worker on an all-relevant mix, set against Faust alone on the same records, in one run.

    python bench/relevant_worker.py [--articles 3000] [--repeats 3] [--partitions 4]

Not a test: prints a table. The mix is the worst case for the engine: every article
matches at least one watch-list (checked before anything is measured), 1 to 5 KB of
the generated filler of bench/engine.py in its 11 languages with one to three
sentences of watch-list news, and no `language` (so the engine detects it for each).
Each repeat, on fresh topics (`--partitions`, default 4) and groups, interleaved:
  Faust alone  bench/faust_passthrough.py: the worker's Faust app forwarding each record;
  one worker   `python -m newswatch worker` with the default watch-lists, stories off
               (the tagger's own path: one record in, its alerts out), timed from the
               first article sent to the last alert read back; and its peak RSS.
Prints the medians, the ratio worker / Faust alone (median of the per-repeat ratios;
target >= 0.7), how the worker's CPU time splits between its event loop (the main thread:
Faust, the producer, sending alerts) and the rest (the tagging thread: the engine), and
the worker's peak RSS (target <= 300 MB). Uses NEWSWATCH_KAFKA_* or the local broker,
started when none answers (and stopped again).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine import FILLER, NEWS  # bench/engine.py: the generated multilingual sentences
from kafka_bench import Bench, Topics, encode
from pipeline import measure_forwarding, measure_tagger, start_local_broker

from newswatch.contracts import Article, utc_now
from newswatch.kafka.connection import KafkaConnection
from newswatch.kafka.local_broker import find_deploy_dir
from newswatch.settings import Settings
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine

TARGET_OVER_FAUST = 0.7
TARGET_RSS_MB = 300.0
SIZES = (1000, 5000)  # bytes of body, uniformly


@dataclass
class StoriesOffBench(Bench):
    """A `Bench` whose workers run without the stories stage: alerts straight to the alerts topic."""

    def worker_env(self, articles: str, alerts: str, dead_letters: str, group: str) -> dict[str, str]:
        return {
            **super().worker_env(articles, alerts, dead_letters, group),
            "NEWSWATCH_STORIES_ENABLED": "false",
        }


def relevant_mix(count: int, seed: int = 11) -> list[Article]:
    """`count` articles, each with watch-list news, 1-5 KB, mixed languages, no language given."""
    rng = random.Random(seed)
    languages = sorted(NEWS)
    articles = []
    for number in range(count):
        language = rng.choice(languages)
        size = rng.randint(*SIZES)
        sentences: list[str] = []
        while sum(len(sentence.encode()) for sentence in sentences) < size:
            sentences.append(rng.choice(FILLER[language]))
        for _ in range(rng.randint(1, 3)):
            sentences.insert(rng.randrange(len(sentences) + 1), NEWS[language])
        articles.append(Article(id=f"bench-{number}", title=f"Relevant {number}", body="".join(sentences)))
    return articles


async def run(args: argparse.Namespace, settings: Settings, bench: Bench) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {
        name: [] for name in ("faust", "faust_cpu", "worker", "worker_cpu", "loop_cpu", "ratio", "rss")
    }
    try:
        for repeat in range(1, args.repeats + 1):
            faust_alone = await measure_forwarding(bench, "faust_passthrough.py")
            one = await measure_tagger(bench, 1)
            # CPU per record does not depend on what else the machine runs (the rates do).
            worker_cpu = 10 * one.cpu_percent[0] / one.articles_per_s
            loop_cpu = 10 * one.loop_cpu_percent[0] / one.articles_per_s
            ratio = one.articles_per_s / faust_alone.records_per_s
            for name, value in (
                ("faust", faust_alone.records_per_s),
                ("faust_cpu", faust_alone.cpu_ms_per_record),
                ("worker", one.articles_per_s),
                ("worker_cpu", worker_cpu),
                ("loop_cpu", loop_cpu),
                ("ratio", ratio),
                ("rss", one.peak_rss_mb[0]),
            ):
                samples[name].append(value)
            print(
                f"repeat {repeat}/{args.repeats}: Faust alone {faust_alone.records_per_s:,.0f} rec/s "
                f"({faust_alone.cpu_ms_per_record:.2f} ms CPU each), 1 worker {one.articles_per_s:,.0f} "
                f"art/s ({worker_cpu:.2f} ms CPU each, {loop_cpu:.2f} of them the event loop's; "
                f"CPU {one.cpu_percent[0]:.0f} %): {ratio:.2f} x, "
                f"peak RSS {one.peak_rss_mb[0]:.0f} MB",
                flush=True,
            )
    except BaseException:
        print(f"worker logs kept in {bench.folder}", file=sys.stderr, flush=True)
        raise
    finally:
        await bench.topics.delete_all()
    shutil.rmtree(bench.folder, ignore_errors=True)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    articles = relevant_mix(args.articles)
    engine, tagged_at = Engine.default(), utc_now()
    counts = [len(alerts_for(article, engine, tagged_at)) for article in articles]
    if not all(counts):
        raise SystemExit(f"{counts.count(0)} of the mix's articles match no watch-list: not all relevant")
    megabytes = sum(len(a.body.encode()) for a in articles) / 1e6
    print(f"all-relevant mix: {len(articles)} articles, {megabytes:.1f} MB, {sum(counts)} alerts", flush=True)
    settings = Settings()
    connection = KafkaConnection.from_settings(settings)
    warmups = [a.model_copy(update={"id": f"warmup-{n}"}) for n, a in enumerate(relevant_mix(8, seed=99))]
    bench = StoriesOffBench(
        connection,
        Topics(connection, args.partitions, settings.topic_replication_factor),
        Path(tempfile.mkdtemp(prefix="newswatch-bench-")),
        find_deploy_dir().parents[1],
        encode(articles),
        sum(counts),
        counts,
        articles,
        encode(warmups[: 2 * args.partitions]),
    )
    broker = start_local_broker(settings)
    try:
        samples = asyncio.run(run(args, settings, bench))
    except KeyboardInterrupt:
        raise SystemExit("interrupted: its workers are stopped and its topics deleted") from None
    finally:
        if broker is not None:
            broker.down()
    report(samples)


def report(samples: dict[str, list[float]]) -> None:
    ratio = statistics.median(samples["ratio"])
    rss = max(samples["rss"])
    print(f"all-relevant mix, medians of {len(samples['ratio'])} repeats:")
    print(
        f"  Faust alone (passthrough)   {statistics.median(samples['faust']):,.0f} records/s, "
        f"{statistics.median(samples['faust_cpu']):.2f} ms CPU a record"
    )
    print(
        f"  one worker, stories off     {statistics.median(samples['worker']):,.0f} articles/s, "
        f"{statistics.median(samples['worker_cpu']):.2f} ms CPU an article = "
        f"{ratio:.2f} x Faust alone (runs {min(samples['ratio']):.2f}-{max(samples['ratio']):.2f}; "
        f"target {TARGET_OVER_FAUST} x: {'met' if ratio >= TARGET_OVER_FAUST else 'not met'})"
    )
    loop = statistics.median(samples["loop_cpu"])
    print(
        f"    of which the event loop   {loop:.2f} ms (Faust, the producer, sending the alerts); "
        f"the tagging thread and the rest {statistics.median(samples['worker_cpu']) - loop:.2f} ms"
    )
    print(
        f"  worker peak RSS             {rss:.0f} MB (target <= {TARGET_RSS_MB:.0f}: "
        f"{'met' if rss <= TARGET_RSS_MB else 'not met'})"
    )


if __name__ == "__main__":
    main()
