"""Soak: replay many distinct articles through one worker and watch its memory.

    python bench/soak.py --articles 100000 --interval 5
    python bench/soak.py --stories --articles 60000 --event-hours 400 [--window-hours 72]
    python bench/soak.py --compare --articles 60000        # stories off, then on, same articles

Uses the local broker (started when none answers, stopped again) or
NEWSWATCH_KAFKA_BOOTSTRAP; creates its own topics and deletes them afterwards, with
--stories the worker-created repartition and changelog topics too. Not a test: it takes
minutes and its figures belong in a report.

The articles are distinct stories and syndicated copies of them (--copy-share), in the
11 languages of bench/engine.py: each story's body mixes engine.py's filler sentences
with sentences of its own (random words of its language), so that distinct stories
open, and a copy is its story's body re-headlined, with a dateline and one sentence
more or less. A --news-share of the stories carry watch-list news and so alert.
Event times (`published_at`) advance steadily over --event-hours, so with the stories
stage on (--stories; its window NEWSWATCH_STORY_WINDOW_HOURS, or --window-hours) the
run spans several windows and stories keep opening and expiring.

Prints one line per interval: articles handled by the tagger, the event hour reached,
the worker's RSS and, with stories on, the alerts the stories stage has placed and the
live keys of its `stories` table (counted by following the table's changelog: live
stories and all keys). Then a summary: RSS once warm (one window of event time plus two
hours, at least 10 % of the articles, so the table holds a full window), at the end, the
peak, and the growth per 10,000 articles after warm-up (least-squares slope), also over
the second half of the warm readings. Reading it: the live state goes up and down by a
few per cent with the news; RSS follows its high-water mark (CPython keeps freed arenas,
dicts do not shrink), so it creeps up by ever smaller steps while a new peak is reached
now and then. Bounded memory shows as live keys that stay level and a second-half
growth near zero; a leak, as growth that goes on over every window.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from engine import FILLER, NEWS, TRAPS  # bench/engine.py: the generated multilingual corpus
from stories_cost import delete_leftovers

from newswatch.contracts import Article
from newswatch.errors import NewswatchError
from newswatch.kafka.admin import broker_answers, delete_topics
from newswatch.kafka.connection import KafkaConnection
from newswatch.kafka.local_broker import LocalBroker, find_deploy_dir
from newswatch.settings import Settings
from newswatch.tagger.process import WorkerProcess

WARM_FRACTION = 0.1  # memory is judged from 10 % of the articles on at the earliest
WARM_EXTRA_HOURS = 2  # ... and from one window of event time plus this (hour buckets expire late)
ARTICLE_BYTES = 3000
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
NO_SPACE = {"zh", "ja"}
DATELINES = ["SEOUL (Wire) -", "JAKARTA, Jan 5 -", "BERLIN -", "By a staff reporter", "PARIS (AFP) -"]
PREFIXES = ["", "", "UPDATE 1-", "UPDATE 2-", "WRAPUP-"]
SOURCES = ["wire-a", "wire-b", "daily-c", "portal-d", "paper-e"]


@dataclass
class Story:
    hours: float
    language: str
    hint: str | None
    title: str
    sentences: list[str]
    copies: int = 0


@dataclass
class Timeline:
    """Articles over `event_hours` of event time: new stories and copies of recent ones."""

    count: int
    event_hours: float
    news_share: float = 0.25
    copy_share: float = 0.4
    copy_hours: float = 6.0
    seed: int = 11
    rng: random.Random = field(init=False)
    vocabulary: dict[str, list[str]] = field(init=False)
    stories: int = 0
    copies: int = 0
    news: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.vocabulary = {
            language: sorted(
                {char for s in sentences for char in s if char.isalpha()}
                if language in NO_SPACE
                else {word for s in sentences for word in re.findall(r"\w+", s)}
            )
            for language, sentences in FILLER.items()
        }

    def hours_of(self, number: int) -> float:
        return self.event_hours * number / self.count

    def articles(self) -> Iterator[Article]:
        recent: list[Story] = []
        for number in range(self.count):
            hours = self.hours_of(number)
            recent = (
                [s for s in recent if hours - s.hours <= self.copy_hours] if number % 100 == 0 else recent
            )
            if recent and self.rng.random() < self.copy_share:
                story = self.rng.choice(recent)
                yield self._copy(number, story, hours)
            else:
                story = self._story(number, hours)
                recent.append(story)
                yield self._article(
                    number, story.title, story.sentences, story.hint, hours, source=SOURCES[0]
                )

    def _sentence(self, language: str) -> str:
        words = self.vocabulary[language]
        if language in NO_SPACE:
            return "".join(self.rng.choices(words, k=self.rng.randint(14, 28))) + "。"
        text = " ".join(self.rng.choices(words, k=self.rng.randint(8, 16)))
        return text[:1].upper() + text[1:] + ". "

    def _story(self, number: int, hours: float) -> Story:
        rng = self.rng
        language = rng.choice(sorted(FILLER))
        sentences: list[str] = []
        while sum(len(sentence.encode()) for sentence in sentences) < ARTICLE_BYTES:
            # Half filler (shared by every article of the language), half the story's own.
            sentences.append(rng.choice(FILLER[language]) if rng.random() < 0.5 else self._sentence(language))
            if rng.random() < 0.2:
                sentences.append("\n")
        if rng.random() < self.news_share:
            self.news += 1
            for _ in range(rng.randint(1, 3)):
                sentences.insert(rng.randrange(len(sentences) + 1), NEWS[language])
        if language in TRAPS and rng.random() < 0.1:
            sentences.insert(rng.randrange(len(sentences) + 1), TRAPS[language])
        self.stories += 1
        hint = None if number % 10 == 0 else language
        return Story(hours, language, hint, f"Soak story {number}", sentences)

    def _copy(self, number: int, story: Story, hours: float) -> Article:
        rng = self.rng
        self.copies += 1
        story.copies += 1
        sentences = list(story.sentences)
        if rng.random() < 0.5:
            del sentences[rng.randrange(len(sentences))]
        else:
            sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(FILLER[story.language]))
        sentences.insert(0, rng.choice(DATELINES) + "\n")
        title = f"{rng.choice(PREFIXES)}{story.title} ({story.copies})"
        return self._article(number, title, sentences, story.hint, hours, source=rng.choice(SOURCES[1:]))

    def _article(
        self, number: int, title: str, sentences: list[str], hint: str | None, hours: float, *, source: str
    ) -> Article:
        return Article(
            id=f"soak-{number:07d}",
            title=title,
            body="".join(sentences),
            language=hint,
            source=source,
            published_at=EPOCH + timedelta(hours=hours),
        )


def write_articles(path: Path, timeline: Timeline) -> None:
    with path.open("w", encoding="utf-8") as out:
        for article in timeline.articles():
            out.write(article.model_dump_json(exclude_none=True) + "\n")


class TableKeys(threading.Thread):
    """Follows the changelog of the stories table and counts its live keys by kind (the
    key's first part: story, article, hour, watchlist, spk, spkhead). The changelog holds
    every write and deletion of the table, so this is the table the worker holds in memory,
    a little behind it."""

    def __init__(self, connection: KafkaConnection, topic: str) -> None:
        super().__init__(daemon=True, name="table-keys")
        self.connection = connection
        self.topic = topic
        self.live: dict[bytes, str] = {}
        self.counts: Counter[str] = Counter()
        self.watermark = float("-inf")  # the latest event time the stage has seen (epoch seconds)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def snapshot(self) -> tuple[Counter[str], float]:
        with self.lock:
            return Counter(self.counts), self.watermark

    def run(self) -> None:
        try:
            asyncio.run(self._follow())
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc

    async def _follow(self) -> None:
        # No group: every partition, from the beginning, nothing committed.
        consumer = AIOKafkaConsumer(
            self.topic,
            **self.connection.client_kwargs(),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            while not self.stopping.is_set():
                batch = await consumer.getmany(timeout_ms=500, max_records=20_000)
                with self.lock:
                    for records in batch.values():
                        for record in records:
                            self._apply(record.key or b"", record.value)
        finally:
            await consumer.stop()

    def _apply(self, key: bytes, value: bytes | None) -> None:
        if value is None or value in (b"null", b""):
            kind = self.live.pop(key, None)
            if kind is not None:
                self.counts[kind] -= 1
            return
        kind = self.live.get(key)
        if kind is None:
            kind = re.split(r"[/|]", key.decode("utf-8", "replace").strip('"'), maxsplit=1)[0]
            self.live[key] = kind
            self.counts[kind] += 1
        if kind == "watchlist":  # the book's {"watermark": t, "hours": [...]} of one watch-list
            self.watermark = max(self.watermark, float(json.loads(value)["watermark"]))


@dataclass
class Reading:
    seconds: float
    handled: int
    hour: float  # event time reached: by the stories stage when on, else by the tagger
    rss: float
    keys: int | None = None
    stories: int | None = None


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str) -> int:
    return int(sum(value for (metric, _), value in samples.items() if metric == name))


def soak(
    args: argparse.Namespace, settings: Settings, feed: Path, folder: Path, stories: bool
) -> list[Reading]:
    """One worker over `feed`, stories on or off; its readings."""
    connection = KafkaConnection.from_settings(settings)
    run = f"soak-{int(time.time())}-{'on' if stories else 'off'}"
    port = 6100 + os.getpid() % 800
    env = {
        **os.environ,
        "NEWSWATCH_ARTICLES_TOPIC": f"{run}.articles",
        "NEWSWATCH_ALERTS_TOPIC": f"{run}.alerts",
        "NEWSWATCH_DEAD_LETTER_TOPIC": f"{run}.articles.dlq",
        "NEWSWATCH_STORIES_TOPIC": f"{run}.stories",
        "NEWSWATCH_SPIKES_TOPIC": f"{run}.spikes",
        "NEWSWATCH_STORIES_ENABLED": "true" if stories else "false",
        "NEWSWATCH_STORY_WINDOW_HOURS": str(args.window_hours),
        "NEWSWATCH_APP_ID": run,
        "NEWSWATCH_METRICS_PORT": str(port),
        "NEWSWATCH_LOG_LEVEL": "warning",
    }
    print(f"\n== stories {'on' if stories else 'off'} ({run})", flush=True)
    cwd = find_deploy_dir().parents[1]
    worker = WorkerProcess.start(env, folder / f"worker-{run}.log", port=port, cwd=cwd)
    keys = TableKeys(connection, f"{run}-stories-changelog") if stories else None
    try:
        worker.wait_healthy(timeout=90)
        if keys is not None:
            keys.start()
        replay = subprocess.Popen(
            [sys.executable, "-m", "newswatch", "replay", str(feed)],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
        )
        readings = watch(args, worker, replay, keys)
        replay.wait()
        if keys is not None:
            time.sleep(2)  # the last changelog writes
            counts, _ = keys.snapshot()
            print(
                "stories table at the end, live keys by kind: "
                + ", ".join(f"{k} {n:,}" for k, n in sorted(counts.items()))
            )
    except NewswatchError as exc:
        raise SystemExit(str(exc)) from None
    finally:
        if keys is not None:
            keys.stopping.set()
            keys.join(timeout=10)
        worker.stop(timeout=60)
        topics = [
            env[f"NEWSWATCH_{name}_TOPIC"]
            for name in ("ARTICLES", "ALERTS", "DEAD_LETTER", "STORIES", "SPIKES")
        ]
        asyncio.run(delete_topics(connection, topics))
        asyncio.run(delete_leftovers(connection, run))  # the worker's repartition and changelog topics
    return readings


def watch(
    args: argparse.Namespace, worker: WorkerProcess, replay: subprocess.Popen[bytes], keys: TableKeys | None
) -> list[Reading]:
    """One reading per interval until every article is handled and, with stories on,
    every alert handed to the stage is placed in a story."""
    print(
        f"{'seconds':>8} {'handled':>9} {'ev hour':>7} {'RSS MB':>7}"
        + (f" {'placed':>7} {'stories':>7} {'keys':>7}" if keys is not None else ""),
        flush=True,
    )
    readings: list[Reading] = []
    started = time.monotonic()
    done, placed, emitted, stalled = 0, 0, 0, 0
    while done < args.articles or placed < emitted:
        time.sleep(args.interval)
        worker.check_running()
        samples = worker.samples()
        before = (done, placed)
        done = total(samples, "newswatch_articles_consumed_total")
        if keys is not None:
            emitted = total(samples, "newswatch_alerts_emitted_total")
            placed = total(samples, "newswatch_stories_opened_total") + total(
                samples, "newswatch_story_copies_total"
            )
        reading = Reading(
            time.monotonic() - started, done, args.event_hours * done / args.articles, rss_mb(worker.pid)
        )
        if keys is not None:
            if keys.error is not None:
                raise SystemExit(f"following the stories changelog failed: {keys.error!r}")
            counts, watermark = keys.snapshot()
            reading.hour = max(0.0, (watermark - EPOCH.timestamp()) / 3600)
            reading.keys, reading.stories = sum(counts.values()), counts["story"]
        line = f"{reading.seconds:8.0f} {done:9,} {reading.hour:7.0f} {reading.rss:7.1f}"
        if keys is not None:
            line += f" {placed:7,} {reading.stories:7,} {reading.keys:7,}"
        readings.append(reading)
        print(line, flush=True)
        stalled = stalled + 1 if (done, placed) == before and replay.poll() is not None else 0
        if stalled >= 6 and done >= args.articles:
            print(f"stopped waiting: {emitted - placed:,} alerts not placed (see the dead letters)")
            break
        if stalled >= 6:
            raise SystemExit(
                f"no progress for {stalled} readings at {done:,} articles ({placed:,} of {emitted:,} "
                f"alerts placed); the replay exited with {replay.returncode}"
            )
    return readings


@dataclass
class Summary:
    warm_rss: float
    end_rss: float
    peak_rss: float
    growth: float  # MB per 10,000 articles after warm-up, least squares
    late_growth: float  # the same over the second half of those readings
    warm_at: int
    warm_hour: float
    readings: int
    warm_keys: int | None
    end_keys: int | None
    peak_keys: int | None
    warm_stories: int | None
    end_stories: int | None


def slope(readings: list[Reading]) -> float:
    """Least-squares RSS growth in MB per 10,000 articles handled."""
    xs, ys = [r.handled for r in readings], [r.rss for r in readings]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs) or 1.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread * 10_000


def summarise(readings: list[Reading], warm_from: int, warm_hours: float) -> Summary | None:
    warm = [r for r in readings if r.handled >= warm_from and r.hour >= warm_hours]
    if len(warm) < 6:
        return None
    keyed = [r.keys for r in warm if r.keys is not None]
    return Summary(
        warm_rss=warm[0].rss,
        end_rss=warm[-1].rss,
        peak_rss=max(r.rss for r in readings),
        growth=slope(warm),
        late_growth=slope(warm[len(warm) // 2 :]),
        warm_at=warm[0].handled,
        warm_hour=warm[0].hour,
        readings=len(warm),
        warm_keys=warm[0].keys,
        end_keys=warm[-1].keys,
        peak_keys=max(keyed) if keyed else None,
        warm_stories=warm[0].stories,
        end_stories=warm[-1].stories,
    )


def describe(label: str, summary: Summary | None) -> str:
    if summary is None:
        return f"stories {label}: too few readings after warm-up; use more articles or a shorter --interval"
    s = summary
    text = (
        f"stories {label}: RSS once warm {s.warm_rss:.1f} MB (at {s.warm_at:,} articles, "
        f"event hour {s.warm_hour:.0f}), "
        f"at the end {s.end_rss:.1f} MB, peak {s.peak_rss:.1f} MB; growth after warm-up "
        f"{s.growth:+.2f} MB per 10,000 articles (least squares over {s.readings} readings; "
        f"over their second half {s.late_growth:+.2f})"
    )
    if s.warm_keys is not None:
        text += (
            f"; table keys once warm {s.warm_keys:,}, at the end {s.end_keys:,}, peak {s.peak_keys:,}; "
            f"live stories once warm {s.warm_stories:,}, at the end {s.end_stories:,}"
        )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between memory readings")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stories", action="store_true", help="run the worker with the stories stage on")
    mode.add_argument("--compare", action="store_true", help="stories off, then on, over the same articles")
    parser.add_argument("--event-hours", type=float, default=400.0, help="event-time span of the articles")
    parser.add_argument(
        "--window-hours", type=float, help="NEWSWATCH_STORY_WINDOW_HOURS (default: the setting, 72)"
    )
    parser.add_argument(
        "--news-share", type=float, default=0.25, help="share of stories with watch-list news"
    )
    parser.add_argument("--copy-share", type=float, default=0.4, help="share of articles that are copies")
    args = parser.parse_args()

    settings = Settings()
    if args.window_hours is None:
        args.window_hours = settings.story_window_hours
    broker = None
    if settings.uses_local_broker:
        broker = LocalBroker.from_settings(settings)
        if asyncio.run(broker_answers(broker.connection)):
            broker = None
        else:
            broker.up()
    folder = Path(tempfile.mkdtemp(prefix="newswatch-soak-"))
    feed = folder / "articles.jsonl"
    timeline = Timeline(args.articles, args.event_hours, args.news_share, args.copy_share)
    write_articles(feed, timeline)
    warm_hours = args.window_hours + WARM_EXTRA_HOURS
    warm_from = round(WARM_FRACTION * args.articles)
    print(
        f"soak: {args.articles:,} articles ({feed.stat().st_size / 1e6:.0f} MB; "
        f"{timeline.stories:,} stories, {timeline.news:,} of them with watch-list news, "
        f"{timeline.copies:,} copies) through one worker; "
        f"event time over {args.event_hours:g} h, story window {args.window_hours:g} h "
        f"({args.event_hours / args.window_hours:.1f} windows); warm from event hour {warm_hours:g}",
        flush=True,
    )
    if warm_hours >= args.event_hours:
        print("note: the run ends before one window is over; raise --event-hours or lower --window-hours")
    phases = [False, True] if args.compare else [args.stories]
    results: list[tuple[str, Summary | None]] = []
    try:
        for stories in phases:
            readings = soak(args, settings, feed, folder, stories)
            label = "on" if stories else "off"
            (folder / f"readings-stories-{label}.json").write_text(
                json.dumps([vars(r) for r in readings], indent=1) + "\n"
            )
            results.append(("on" if stories else "off", summarise(readings, warm_from, warm_hours)))
    finally:
        if broker is not None:
            broker.down()
    print()
    for label, summary in results:
        print(describe(label, summary))
    print(f"worker logs and readings (JSON) in {folder}")


if __name__ == "__main__":
    main()
