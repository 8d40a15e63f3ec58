"""Soak: replay many distinct articles through one worker and watch its memory.

    python bench/soak.py --articles 100000 --interval 5

Uses the local broker (started when none answers, stopped again) or
NEWSWATCH_KAFKA_BOOTSTRAP; creates its own topics and deletes them afterwards. Prints
one line per interval (articles handled, worker RSS) and a summary: RSS once warm,
at the end, the peak, and the growth per 10,000 articles after warm-up. Not a test:
it takes minutes and its figures belong in a report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine import corpus  # bench/engine.py: the generated multilingual corpus

from newswatch.errors import NewswatchError
from newswatch.kafka.admin import broker_answers, delete_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.kafka.local_broker import LocalBroker, find_deploy_dir
from newswatch.settings import Settings
from newswatch.tagger.process import WorkerProcess

WARM_FRACTION = 0.1  # memory is judged from the point where 10 % of the articles are done


def write_articles(path: Path, count: int) -> None:
    base = corpus(2000)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            article = base[n % len(base)]
            record = article.model_dump(mode="json", exclude_none=True) | {"id": f"soak-{n:07d}"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def consumed(worker: WorkerProcess) -> int:
    return int(worker.samples().get(("newswatch_articles_consumed_total", ()), 0))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between memory readings")
    args = parser.parse_args()

    settings = Settings()
    broker = None
    if settings.uses_local_broker:
        broker = LocalBroker.from_settings(settings)
        if asyncio.run(broker_answers(broker.connection)):
            broker = None
        else:
            broker.up()
    connection = KafkaConnection.from_settings(settings)
    run = f"soak-{int(time.time())}"
    port = 6100 + os.getpid() % 800
    env = {
        **os.environ,
        "NEWSWATCH_ARTICLES_TOPIC": f"{run}.articles",
        "NEWSWATCH_ALERTS_TOPIC": f"{run}.alerts",
        "NEWSWATCH_DEAD_LETTER_TOPIC": f"{run}.articles.dlq",
        "NEWSWATCH_APP_ID": run,
        "NEWSWATCH_METRICS_PORT": str(port),
        "NEWSWATCH_LOG_LEVEL": "warning",
    }
    folder = Path(tempfile.mkdtemp(prefix="newswatch-soak-"))
    feed = folder / "articles.jsonl"
    write_articles(feed, args.articles)
    print(
        f"soak: {args.articles:,} articles ({feed.stat().st_size / 1e6:.0f} MB) through one worker",
        flush=True,
    )

    command = [sys.executable, "-m", "newswatch"]
    cwd = find_deploy_dir().parents[1]
    worker = WorkerProcess.start(env, folder / "worker.log", port=port, cwd=cwd)
    readings: list[tuple[int, float]] = []
    try:
        worker.wait_healthy(timeout=60)
        replay = subprocess.Popen(
            [*command, "replay", str(feed)], env=env, cwd=cwd, stdout=subprocess.DEVNULL
        )
        started = time.monotonic()
        print(f"{'seconds':>8} {'handled':>9} {'RSS MB':>7}", flush=True)
        done, stalled = 0, 0
        while done < args.articles:
            time.sleep(args.interval)
            worker.check_running()
            before, done = done, consumed(worker)
            readings.append((done, rss_mb(worker.pid)))
            print(f"{time.monotonic() - started:8.0f} {done:9,} {readings[-1][1]:7.1f}", flush=True)
            stalled = stalled + 1 if done == before and replay.poll() is not None else 0
            if stalled >= 6:
                raise SystemExit(
                    f"no progress for {stalled} readings at {done:,} articles; the replay exited "
                    f"with {replay.returncode}"
                )
        replay.wait()
    except NewswatchError as exc:
        raise SystemExit(str(exc)) from None
    finally:
        worker.stop(timeout=60)
        asyncio.run(
            delete_topics(
                connection, [env[f"NEWSWATCH_{name}_TOPIC"] for name in ("ARTICLES", "ALERTS", "DEAD_LETTER")]
            )
        )
        if broker is not None:
            broker.down()
    summarise(readings, args.articles)


def summarise(readings: list[tuple[int, float]], total: int) -> None:
    warm = [(done, rss) for done, rss in readings if done >= WARM_FRACTION * total]
    if len(warm) < 2:
        print("too few readings after warm-up; use more articles or a shorter --interval")
        return
    (first_done, first_rss), (last_done, last_rss) = warm[0], warm[-1]
    growth = (last_rss - first_rss) / max(1, last_done - first_done) * 10_000
    peak = max(rss for _, rss in readings)
    print(
        f"RSS once warm {first_rss:.1f} MB, at the end {last_rss:.1f} MB, peak {peak:.1f} MB; "
        f"growth after warm-up {growth:+.2f} MB per 10,000 articles"
    )


if __name__ == "__main__":
    main()
