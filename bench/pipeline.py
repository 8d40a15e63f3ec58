"""End-to-end benchmark of the tagger against a real broker: throughput, scaling, latency, memory.

    python bench/pipeline.py [--articles N] [--repeats R] [--loads 200,1000,2000]
                             [--json bench/results/pipeline.json]

Not a test: it prints a table and writes JSON (raw samples, medians, machine info). Uses
NEWSWATCH_KAFKA_BOOTSTRAP or the local broker (started when none answers, stopped
again). Every measurement gets fresh topics (4 partitions by default) and a fresh group;
all of them are deleted and every process it starts is stopped, also on Ctrl-C.

Figures (the same generated corpus of ~3 KB multilingual articles from bench/engine.py):
  engine     `alerts_for` over the corpus in this process, no Kafka: articles/s and MB/s.
  ceiling    bench/passthrough.py in its own process: a plain aiokafka consumer that
             forwards each record unchanged (getmany, send the batch, flush): records/s.
  Faust      bench/faust_passthrough.py: the worker's Faust app and event loop with an
             agent that forwards each record unchanged: records/s (Faust's own ceiling;
             timed like the aiokafka one, from its first event).
  tagger x1  `python -m newswatch worker` with the default watch-lists: articles/s.
  tagger x2  two such workers in one group: articles/s and the ratio to one worker.
  latency    one worker, articles produced at a fixed rate: from the send to the first
             alert of that article read back by a consumer here (p50/p95/p99).
  RSS        the peak VmHWM/VmRSS of the worker processes.
Throughput figures are medians over --repeats runs, interleaved (ceiling, Faust, x1, x2, ...)
so that drift on a shared machine hits all of them alike.

How throughput is timed. Both sides consume a topic that is, in effect, already full:
- ceiling and Faust alone: the corpus is produced first; the clock runs from the
  passthrough's first fetched record to its last record read back here.
- tagger: a pre-filled topic does not work for two workers: the first to join the group
  starts on all partitions and a rebalance lands inside the measurement. So the workers
  start on an empty topic; once the group is Stable with every member, a few warm-up
  articles (on every partition, not timed) prove that each worker is fetching; then the
  corpus is produced in one burst (about 20 times faster than the tagger consumes it) and
  the clock runs from the first article sent to the last expected alert read back (the
  issue's definition). The count of expected alerts comes from the engine run; articles
  without alerts are confirmed through each worker's newswatch_articles_consumed_total.
The ceiling is not produced while consumed because the producer (~20k records/s here) is
slower than the passthrough: that would measure the producer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from engine import corpus  # bench/engine.py: the generated multilingual corpus
from kafka_bench import (
    Bench,
    Reader,
    Topics,
    cpu_seconds,
    encode,
    free_port,
    produce_all,
    reading,
    tagger_session,
    wait_consumed,
    wait_done,
)
from latency import measure_latency
from report import Results, print_table, write_json

from newswatch.contracts import Article, utc_now
from newswatch.kafka.admin import broker_answers
from newswatch.kafka.connection import KafkaConnection
from newswatch.kafka.local_broker import LocalBroker, find_deploy_dir
from newswatch.settings import Settings
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine

BENCH_DIR = Path(__file__).resolve().parent


def measure_engine(articles: list[Article], repeats: int) -> tuple[list[float], float, list[int]]:
    """The same measurement as bench/engine.py: `alerts_for` over the corpus, timed per run.

    Returns the seconds of each run, the corpus size in MB and the alerts per article.
    """
    engine = Engine.default()
    engine.match("warm-up", "North Korea", None)  # loads the language model, builds char tables
    megabytes = sum(len(a.title.encode()) + len(a.body.encode()) for a in articles) / 1e6
    timings: list[float] = []
    counts: list[int] = []
    for _ in range(repeats):
        tagged_at = utc_now()
        started = time.perf_counter()
        counts = [len(alerts_for(article, engine, tagged_at)) for article in articles]
        timings.append(time.perf_counter() - started)
    return timings, megabytes, counts


@dataclass(frozen=True)
class Forwarded:
    records_per_s: float
    cpu_ms_per_record: float  # the forwarding process's CPU time over the timed span


async def measure_ceiling(bench: Bench) -> float:
    """Records/s through bench/passthrough.py: a plain aiokafka consumer and producer."""
    return (await measure_forwarding(bench, "passthrough.py", str(len(bench.records)))).records_per_s


async def measure_faust_passthrough(bench: Bench) -> float:
    """Records/s through bench/faust_passthrough.py: the worker's Faust app, no engine."""
    return (await measure_forwarding(bench, "faust_passthrough.py")).records_per_s


async def measure_forwarding(bench: Bench, script: str, *extra_args: str) -> Forwarded:
    """Records/s (and CPU per record) through a bench script that forwards a pre-filled topic.

    The script gets SOURCE DEST and `extra_args`, and its own NEWSWATCH_* settings (group,
    metrics port, state folder); it prints `{"first_event_at": ...}` when the first record
    arrives. The clock runs from then to the last record read back here.
    """
    total = len(bench.records)
    source, dest = await bench.topics.fresh("source", "dest")
    env = bench.worker_env(source, dest, dest, f"{source}.group")
    env["NEWSWATCH_METRICS_PORT"] = str(free_port())
    try:
        await produce_all(bench.connection, source, bench.records)
        reader = Reader(bench.connection, dest, wanted=lambda r: r.count >= total)
        async with reading(reader):
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(BENCH_DIR / script),
                source,
                dest,
                *extra_args,
                stdout=asyncio.subprocess.PIPE,
                env=env,
                cwd=bench.cwd,
                start_new_session=True,  # Ctrl-C reaches only us; we stop it
            )
            try:
                first_event_at = await asyncio.wait_for(_first_event_at(process, script), 90)
                cpu_before = cpu_seconds(process.pid)
                await _done_unless_failed(reader, process, bench.completion_timeout, script)
                cpu = cpu_seconds(process.pid) - cpu_before
            finally:
                if process.returncode is None:  # the aiokafka one stops by itself, Faust's does not
                    process.send_signal(signal.SIGTERM)
                    try:
                        await asyncio.wait_for(process.wait(), 30)
                    except TimeoutError:
                        process.kill()
                        await process.wait()
        return Forwarded(total / (reader.done_at - first_event_at), 1000 * cpu / total)
    finally:
        await bench.topics.delete([source, dest])


async def _done_unless_failed(
    reader: Reader, process: asyncio.subprocess.Process, timeout: float, script: str
) -> None:
    """Until everything is read back; a forwarder that fails says so at once, not at the timeout."""
    finished = asyncio.ensure_future(wait_done(reader, timeout, script))
    while not finished.done():
        await asyncio.wait({finished}, timeout=0.5)
        if process.returncode not in (None, 0):
            finished.cancel()
            raise SystemExit(f"bench/{script} exited with {process.returncode} after {reader.count} records")
    await finished


async def _first_event_at(process: asyncio.subprocess.Process, script: str) -> float:
    assert process.stdout is not None
    while line := await process.stdout.readline():
        with contextlib.suppress(ValueError):
            return float(json.loads(line)["first_event_at"])
    raise SystemExit(f"bench/{script} exited with {await process.wait()} before any record")


@dataclass(frozen=True)
class TaggerRun:
    articles_per_s: float
    cpu_percent: list[float]  # each worker's CPU use (all threads) over the timed span
    peak_rss_mb: list[float]
    # Of that, the main thread's: the event loop (Faust, the producer, sending alerts); the
    # rest is mostly the tagging thread (the engine).
    loop_cpu_percent: list[float]


async def measure_tagger(bench: Bench, count: int) -> TaggerRun:
    """Articles/s through `count` workers in one group, their CPU use and peak RSS."""
    expected, prefix = bench.expected_alerts, b"bench-"
    async with tagger_session(bench, count, lambda r: r.received(prefix) >= expected) as session:
        cpu_before = [worker.cpu_seconds() for worker in session.workers]
        loop_before = [worker.cpu_seconds(main_thread_only=True) for worker in session.workers]
        first_sent = await produce_all(bench.connection, session.articles_topic, bench.records)
        await wait_done(session.reader, bench.completion_timeout, f"tagger x{count}")
        cpu_after = [worker.cpu_seconds() for worker in session.workers]
        loop_after = [worker.cpu_seconds(main_thread_only=True) for worker in session.workers]
        total = len(bench.warmups) + len(bench.records)
        if not await wait_consumed(session.workers, total, 60):
            raise SystemExit(f"tagger x{count}: not every article was consumed; see {bench.folder}")
    elapsed = session.reader.done_at - first_sent

    def percents(before: list[float], after: list[float]) -> list[float]:
        return [100 * (end - start) / elapsed for start, end in zip(before, after, strict=True)]

    return TaggerRun(
        len(bench.records) / elapsed,
        percents(cpu_before, cpu_after),
        [worker.peak_rss_mb for worker in session.workers],
        percents(loop_before, loop_after),
    )


async def run(args: argparse.Namespace, settings: Settings, results: Results) -> None:
    connection = KafkaConnection.from_settings(settings)
    folder = Path(tempfile.mkdtemp(prefix="newswatch-bench-"))
    topics = Topics(connection, args.partitions, settings.topic_replication_factor)
    print(f"engine: {len(results.base)} articles x {args.repeats} runs, no Kafka …", flush=True)
    timings, megabytes, counts = measure_engine(results.base, args.repeats)
    results.engine(timings, megabytes)
    warmups = [a.model_copy(update={"id": f"warmup-{n}"}) for n, a in enumerate(corpus(8, seed=99))]
    bench = Bench(
        connection,
        topics,
        folder,
        find_deploy_dir().parents[1],
        encode(results.base),
        sum(counts),
        counts,
        results.base,
        encode(warmups[: 2 * args.partitions]),
    )
    try:
        for repeat in range(1, args.repeats + 1):
            ceiling = await measure_ceiling(bench)
            results.sample("ceiling_records_per_s", ceiling)
            faust_alone = await measure_faust_passthrough(bench)
            results.sample("faust_passthrough_records_per_s", faust_alone)
            one = await measure_tagger(bench, 1)
            results.tagger("1", one.articles_per_s, one.cpu_percent)
            results.rss("one_worker", one.peak_rss_mb)
            two = await measure_tagger(bench, 2)
            results.tagger("2", two.articles_per_s, two.cpu_percent)
            results.rss("two_workers", two.peak_rss_mb)
            print(
                f"repeat {repeat}/{args.repeats}: ceiling {ceiling:,.0f} rec/s, "
                f"Faust alone {faust_alone:,.0f} rec/s, "
                f"1 worker {one.articles_per_s:,.0f} art/s (CPU {_percents(one.cpu_percent)}), "
                f"2 workers {two.articles_per_s:,.0f} art/s (CPU {_percents(two.cpu_percent)})",
                flush=True,
            )
        for load, figures, rss in await measure_latency(bench, args.loads, args.seconds):
            results.latency(load, figures)
            results.rss("one_worker", rss)
            print(f"latency at {load}/s: {figures}", flush=True)
    except BaseException:
        print(f"worker logs kept in {folder}", file=sys.stderr, flush=True)
        raise
    finally:
        await topics.delete_all()
    shutil.rmtree(folder, ignore_errors=True)


def _percents(values: list[float]) -> str:
    return " + ".join(f"{value:.0f} %" for value in values)


def start_local_broker(settings: Settings) -> LocalBroker | None:
    """The local broker, started when the settings point at it and none answers; the caller
    stops it (`.down()`). None when another broker is used or one already runs (not ours)."""
    if not settings.uses_local_broker:
        return None
    broker = LocalBroker.from_settings(settings)
    if asyncio.run(broker_answers(broker.connection)):
        return None
    broker.up()
    return broker


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=5000, help="corpus size per throughput run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per throughput figure (median)")
    parser.add_argument("--loads", default="200,1000,2000", help="offered loads for latency, articles/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per load")
    parser.add_argument("--partitions", type=int, default=4, help="partitions of every topic")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "results" / "pipeline.json")
    args = parser.parse_args()
    args.loads = [int(load) for load in args.loads.split(",") if load.strip()]

    settings = Settings()
    broker = start_local_broker(settings)
    results = Results(vars(args) | {"json": str(args.json)}, corpus(args.articles))
    started = time.monotonic()
    try:
        asyncio.run(run(args, settings, results))
    except KeyboardInterrupt:
        raise SystemExit("interrupted: its workers are stopped and its topics deleted") from None
    finally:
        if broker is not None:
            broker.down()
    results.finish(time.monotonic() - started)
    print_table(results)
    write_json(results, args.json)
    print(f"\nraw samples and machine info: {args.json}")


if __name__ == "__main__":
    main()
