"""Publish articles to Kafka: idempotent producer, acks from all replicas, retries, a count.

Nothing is dropped silently: every input file problem is reported with its path and
counted, and every record the broker does not acknowledge after retries is counted
as undelivered (the command then exits non-zero).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from newswatch.article_files import articles_skipping_problems
from newswatch.contracts import Article
from newswatch.errors import ArticleFileError
from newswatch.kafka.connection import KafkaConnection
from newswatch.replayer.progress import Progress

_SEND_ATTEMPTS = 3
_WINDOW = 500
_RETRY_BACKOFF_S = 1.0


@dataclass
class ReplayReport:
    delivered: int = 0
    skipped_inputs: list[ArticleFileError] = field(default_factory=list)
    undelivered: list[tuple[str, str]] = field(default_factory=list)  # (article id, reason)

    @property
    def ok(self) -> bool:
        return not self.undelivered


@dataclass(frozen=True)
class ReplayOptions:
    rate: float | None = None  # articles per second; None: as fast as the broker takes them
    loop: bool = False
    limit: int | None = None


async def replay(
    paths: list[Path],
    connection: KafkaConnection,
    topic: str,
    options: ReplayOptions,
    errors: TextIO = sys.stderr,
) -> ReplayReport:
    """Publish the articles read from `paths` (files or folders) to `topic`; what `newswatch replay` runs.

    Each article is one record, keyed by its id, valued as its Article JSON. `options`
    paces (`rate` a second), repeats (`loop`) and bounds (`limit`) the stream; progress and
    each unreadable input go to `errors`.

    Guarantees: the producer is idempotent with acks from all in-sync replicas, so a
    retry does not duplicate a record; a record is counted `delivered` only once the
    broker acknowledged it, and every other one is in `undelivered` with its reason, as
    every skipped input is in `skipped_inputs`: nothing is dropped silently.
    """
    report = ReplayReport()
    articles = list(articles_skipping_problems(paths, report.skipped_inputs, errors))
    stream: Iterable[Article] = itertools.cycle(articles) if options.loop and articles else articles
    if options.limit is not None:
        stream = itertools.islice(stream, options.limit)
    if options.loop:
        total = options.limit
    else:
        total = len(articles) if options.limit is None else min(len(articles), options.limit)

    producer = AIOKafkaProducer(
        **connection.client_kwargs(),
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=30_000,
    )
    await producer.start()
    progress = Progress(total, stream=errors)
    try:
        # A sliding window of records handed to the producer and not yet acknowledged:
        # waiting for the oldest before adding more keeps records from sitting in the
        # producer's buffer past its timeout when the broker (or this process) is slow.
        window: deque[_InFlight] = deque()
        for article, send_at in _paced(stream, options.rate):
            delay = send_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            key, value = article.id.encode(), article.model_dump_json(exclude_none=True).encode()
            window.append(await _hand_over(producer, topic, article.id, key, value))
            while len(window) >= _WINDOW:
                await _settle(producer, topic, window.popleft(), report, progress)
        while window:
            await _settle(producer, topic, window.popleft(), report, progress)
    finally:
        await producer.stop()
        progress.close()
    return report


def _paced(articles: Iterable[Article], rate: float | None) -> Iterator[tuple[Article, float]]:
    start = time.monotonic()
    for index, article in enumerate(articles):
        yield article, (start + index / rate if rate else 0.0)


@dataclass(frozen=True)
class _InFlight:
    article_id: str
    key: bytes
    value: bytes
    delivery: asyncio.Future[Any]


async def _hand_over(
    producer: AIOKafkaProducer, topic: str, article_id: str, key: bytes, value: bytes
) -> _InFlight:
    try:
        delivery = await producer.send(topic, value=value, key=key)
    except KafkaError as exc:  # refused before sending, e.g. larger than the request limit
        delivery = asyncio.get_running_loop().create_future()
        delivery.set_exception(exc)
    return _InFlight(article_id, key, value, delivery)


async def _settle(
    producer: AIOKafkaProducer, topic: str, record: _InFlight, report: ReplayReport, progress: Progress
) -> None:
    """Wait for one record's acknowledgement; retry it alone when the failure is retriable."""
    delivery = record.delivery
    for attempt in range(1, _SEND_ATTEMPTS + 1):
        try:
            await delivery
        except KafkaError as exc:
            if attempt == _SEND_ATTEMPTS or not getattr(exc, "retriable", False):
                report.undelivered.append((record.article_id, f"{type(exc).__name__}: {exc}"))
                return
            await asyncio.sleep(_RETRY_BACKOFF_S * attempt)
            retried = await _hand_over(producer, topic, record.article_id, record.key, record.value)
            delivery = retried.delivery
        else:
            report.delivered += 1
            progress.advance()
            return
