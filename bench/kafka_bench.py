"""Kafka plumbing for bench/pipeline.py: topics, a fast producer, a timing reader, worker processes.

Every topic created here is remembered by `Topics` and deleted again; every process
started here is stopped by its context manager, also on Ctrl-C and on errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import socket
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError

from newswatch.contracts import Article
from newswatch.errors import NewswatchError
from newswatch.kafka.admin import delete_topics, ensure_topics, partitions_of, quiet_client_logs
from newswatch.kafka.connection import KafkaConnection
from newswatch.tagger.process import WorkerProcess

Record = tuple[bytes, bytes]  # (key, value)
_WORKER_START_TIMEOUT_S = 90.0


def encode(articles: Sequence[Article]) -> list[Record]:
    """Articles as the replayer puts them on the topic: key = id, value = JSON without nulls."""
    return [(a.id.encode(), a.model_dump_json(exclude_none=True).encode()) for a in articles]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int, *, main_thread_only: bool = False) -> float:
    """User + system CPU time of process `pid` so far (all its threads, or only its main
    thread: a worker's event loop); NaN once it is gone."""
    stat = f"/proc/{pid}/task/{pid}/stat" if main_thread_only else f"/proc/{pid}/stat"
    try:
        fields = Path(stat).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Topics:
    """Creates topics with a run-unique prefix and deletes all of them at the end."""

    connection: KafkaConnection
    partitions: int
    replication_factor: int
    prefix: str = field(default_factory=lambda: f"bench-{os.getpid()}-{int(time.time())}")
    created: list[str] = field(default_factory=list)
    _counter: int = 0

    async def fresh(self, *roles: str) -> list[str]:
        self._counter += 1
        names = [f"{self.prefix}.{self._counter}.{role}" for role in roles]
        await ensure_topics(self.connection, names, self.partitions, self.replication_factor)
        self.created.extend(names)
        return names

    async def delete(self, names: Sequence[str]) -> None:
        names = [name for name in names if name in self.created]
        if not names:
            return
        await delete_topics(self.connection, names)
        self.created = [name for name in self.created if name not in names]

    async def delete_all(self) -> None:
        await self.delete(list(self.created))


def producer(connection: KafkaConnection, *, linger_ms: int) -> AIOKafkaProducer:
    # acks=all like the replayer and the worker (producer_acks=-1).
    return AIOKafkaProducer(
        **connection.client_kwargs(), acks="all", linger_ms=linger_ms, max_batch_size=1 << 20
    )


async def produce_all(
    connection: KafkaConnection, topic: str, records: Sequence[Record], spread_over: int = 0
) -> float:
    """Send `records` as fast as the client batches them; returns the time of the first send."""
    client = producer(connection, linger_ms=5)
    await client.start()
    try:
        return await send_batch(client, topic, records, spread_over)
    finally:
        await client.stop()


async def send_batch(
    client: AIOKafkaProducer, topic: str, records: Sequence[Record], spread_over: int = 0
) -> float:
    """Send and wait for every delivery; with `spread_over`, record i goes to partition i % it."""
    started = time.time()
    deliveries = [
        await client.send(topic, value=value, key=key, partition=index % spread_over if spread_over else None)
        for index, (key, value) in enumerate(records)
    ]
    await asyncio.gather(*deliveries)
    return started


@dataclass
class Reader:
    """Reads a topic from the beginning and notes when each key's records arrive (wall clock).

    `arrivals[key]` lists the arrival times of that key's records; `done` is set once
    `wanted(self)` is true after a batch.
    """

    connection: KafkaConnection
    topic: str
    wanted: Callable[[Reader], bool]
    arrivals: dict[bytes, list[float]] = field(default_factory=dict)
    count: int = 0
    done_at: float = 0.0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def received(self, prefix: bytes) -> int:
        return sum(len(times) for key, times in self.arrivals.items() if key.startswith(prefix))

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(
            **self.connection.client_kwargs(),
            enable_auto_commit=False,
            max_partition_fetch_bytes=4 << 20,
            fetch_max_bytes=16 << 20,
        )
        await consumer.start()
        try:
            known = await partitions_of(self.connection, [self.topic])
            partitions = [TopicPartition(self.topic, p) for p in known[self.topic]]
            consumer.assign(partitions)
            with quiet_client_logs():
                await consumer.seek_to_beginning(*partitions)
            while True:
                batch = await consumer.getmany(timeout_ms=200, max_records=10_000)
                now = time.time()
                for records in batch.values():
                    for record in records:
                        self.arrivals.setdefault(record.key or b"", []).append(now)
                        self.count += 1
                if batch and not self.done.is_set() and self.wanted(self):
                    self.done_at = now
                    self.done.set()
        finally:
            await consumer.stop()


@contextlib.asynccontextmanager
async def reading(reader: Reader) -> AsyncIterator[Reader]:
    task = asyncio.create_task(reader.run())
    try:
        yield reader
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_done(reader: Reader, timeout: float, what: str) -> None:
    try:
        await asyncio.wait_for(reader.done.wait(), timeout)
    except TimeoutError:
        raise SystemExit(
            f"{what}: not complete within {timeout:.0f} s ({reader.count} records read)"
        ) from None


@dataclass
class Worker:
    """One `python -m newswatch worker` process with its own metrics port, and its peak RSS."""

    process: WorkerProcess
    peak_rss_mb: float = 0.0

    def metric(self, name: str) -> float:
        """The sum of the samples named `name` (over all their labels)."""
        return sum(value for (sample, _), value in self.process.samples().items() if sample == name)

    def consumed(self) -> int:
        return int(self.metric("newswatch_articles_consumed_total"))

    def sample_rss(self) -> None:
        """Keep the peak of VmHWM (the kernel's own high-water mark) and VmRSS."""
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith(("VmHWM:", "VmRSS:")):
                    self.peak_rss_mb = max(self.peak_rss_mb, int(line.split()[1]) / 1024)

    def cpu_seconds(self, *, main_thread_only: bool = False) -> float:
        """User + system CPU time of the process so far (all its threads, or the event loop's)."""
        return cpu_seconds(self.process.pid, main_thread_only=main_thread_only)

    def check_alive(self) -> None:
        try:
            self.process.check_running()
        except NewswatchError as exc:
            raise SystemExit(str(exc)) from None


@contextlib.asynccontextmanager
async def workers(count: int, env: dict[str, str], folder: Path, cwd: Path) -> AsyncIterator[list[Worker]]:
    """Start `count` workers in one group; yield once every one answers /healthz; stop them all."""
    started: list[Worker] = []
    sampler: asyncio.Task[None] | None = None
    try:
        for number in range(count):
            port = free_port()
            log = folder / f"worker-{env['NEWSWATCH_APP_ID']}-{number}.log"
            # The worker has a session of its own: Ctrl-C reaches only us; we stop the workers.
            env_of_one = {**env, "NEWSWATCH_METRICS_PORT": str(port)}
            started.append(Worker(WorkerProcess.start(env_of_one, log, port=port, cwd=cwd)))
        sampler = asyncio.create_task(_sample_rss(started))
        for worker in started:
            try:
                await worker.process.wait_healthy_async(_WORKER_START_TIMEOUT_S)
            except NewswatchError as exc:
                raise SystemExit(str(exc)) from None
        yield started
    finally:
        if sampler is not None:
            sampler.cancel()
        for worker in started:
            worker.sample_rss()
            worker.process.stop()


async def _sample_rss(started: list[Worker]) -> None:
    while True:
        for worker in started:
            worker.sample_rss()
        await asyncio.sleep(0.2)


async def wait_group_stable(connection: KafkaConnection, group: str, members: int, timeout: float) -> None:
    """Until the consumer group is Stable with `members` members (assignment done)."""
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
    await admin.start()
    try:
        deadline = time.monotonic() + timeout
        state, joined = "?", 0
        while time.monotonic() < deadline:
            try:
                with quiet_client_logs():
                    responses = await admin.describe_consumer_groups([group])
            except GroupCoordinatorNotAvailableError:
                # A broker just started has no coordinator until its offsets topic exists.
                state = "no coordinator yet"
                await asyncio.sleep(0.1)
                continue
            # DescribeGroups: (error_code, group_id, state, protocol_type, protocol, members, ...)
            description = responses[0].groups[0]
            state, joined = description[2], len(description[5])
            if state == "Stable" and joined == members:
                return
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
    raise SystemExit(
        f"group {group} not Stable with {members} members in {timeout:.0f} s ({state}, {joined})"
    )


async def wait_consumed(
    workers_: Sequence[Worker], total: int, timeout: float, each_at_least: int = 0
) -> bool:
    """Until the workers' newswatch_articles_consumed_total add up to `total` (and each has
    handled `each_at_least`); False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers_:
            worker.check_alive()
        counts = await asyncio.gather(*(asyncio.to_thread(worker.consumed) for worker in workers_))
        if sum(counts) >= total and min(counts) >= each_at_least:
            return True
        await asyncio.sleep(0.2)
    return False


@dataclass
class Bench:
    """What every measurement needs: where to connect, the corpus and what it should yield."""

    connection: KafkaConnection
    topics: Topics
    folder: Path  # worker logs and state
    cwd: Path
    records: list[Record]
    expected_alerts: int
    alerts_per_article: list[int]
    base: list[Article]
    warmups: list[Record]

    def worker_env(self, articles: str, alerts: str, dead_letters: str, group: str) -> dict[str, str]:
        return {
            **os.environ,
            "NEWSWATCH_ARTICLES_TOPIC": articles,
            "NEWSWATCH_ALERTS_TOPIC": alerts,
            "NEWSWATCH_DEAD_LETTER_TOPIC": dead_letters,
            "NEWSWATCH_APP_ID": group,
            "NEWSWATCH_TOPIC_PARTITIONS": str(self.topics.partitions),
            "NEWSWATCH_STATE_DIR": str(self.folder / "state"),
            "NEWSWATCH_LOG_LEVEL": "warning",
        }

    @property
    def completion_timeout(self) -> float:
        return max(120.0, len(self.records) / 50)


@dataclass
class Session:
    articles_topic: str
    workers: list[Worker]
    reader: Reader


@contextlib.asynccontextmanager
async def tagger_session(
    bench: Bench, count: int, wanted: Callable[[Reader], bool]
) -> AsyncIterator[Session]:
    """`count` workers on fresh topics and a fresh group, each proven to be fetching.

    Waits for the group to be Stable with every member (so no rebalance follows), then
    sends warm-up articles to every partition and waits until each worker handled some.
    The reader on the alerts topic runs meanwhile.
    """
    articles, alerts, dead_letters = names = await bench.topics.fresh("articles", "alerts", "dlq")
    group = f"{articles}.group"
    reader = Reader(bench.connection, alerts, wanted)
    env = bench.worker_env(articles, alerts, dead_letters, group)
    try:
        async with workers(count, env, bench.folder, bench.cwd) as started, reading(reader):
            await wait_group_stable(bench.connection, group, count, _WORKER_START_TIMEOUT_S)
            await produce_all(bench.connection, articles, bench.warmups, bench.topics.partitions)
            if not await wait_consumed(started, len(bench.warmups), _WORKER_START_TIMEOUT_S, 1):
                raise SystemExit(f"{count} worker(s) did not handle the warm-up articles; see {bench.folder}")
            yield Session(articles, started, reader)
    finally:
        await bench.topics.delete(names)
