"""The worker's side of the watch-lists topic: read it whole at start, then follow it.

`read_at_start` runs before the Faust app starts, so no article is tagged before the
published lists are in force. `WatchlistFollower.follow` runs as a task of the app and
hands each batch of records to the engine slot, which compiles off the event loop. A
consumer of no group with its partitions assigned by hand: no rebalance, and every
worker reads every record. A bad record is logged with its key and reason, counted, and
changes nothing; losing the broker only pauses following (retried), never the worker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import TopicPartition

from newswatch.kafka.connection import KafkaConnection
from newswatch.metrics import TaggerMetrics
from newswatch.tagger.reloading import EngineSlot
from newswatch.watchlist_topic.catalog import Catalog, catalog_of
from newswatch.watchlist_topic.exceptions import BadWatchlistRecord
from newswatch.watchlist_topic.topic_reader import Read, WatchlistTopicReader

RETRY_SECONDS = 5.0

logger = logging.getLogger(__name__)

Positions = dict[TopicPartition, int]


async def read_at_start(
    connection: KafkaConnection, topic: str
) -> tuple[Catalog, list[BadWatchlistRecord], Positions]:
    """The topic's lists from its beginning to its end now, its bad records, and where to
    follow on from."""
    async with WatchlistTopicReader(connection, topic) as reader:
        catalog, bad = catalog_of(await reader.read_to_end())
        return catalog, bad, await reader.positions()


def report_bad(bad: Sequence[BadWatchlistRecord], metrics: TaggerMetrics) -> None:
    for problem in bad:
        logger.error(
            "ignored a record of the watch-lists topic (the lists in force are unchanged): %s", problem
        )
        metrics.watchlist_topic_records.labels(result="invalid").inc()


class WatchlistFollower:
    """Follows the watch-lists topic from `positions` and applies each change to `slot`."""

    def __init__(
        self,
        connection: KafkaConnection,
        topic: str,
        slot: EngineSlot,
        metrics: TaggerMetrics,
        positions: Positions,
    ) -> None:
        self._connection = connection
        self._topic = topic
        self._slot = slot
        self._metrics = metrics
        self._positions = positions

    async def follow(self) -> None:
        """Until cancelled (the app stops): apply every record that arrives."""
        while True:
            try:
                async with WatchlistTopicReader(self._connection, self._topic) as reader:
                    reader.seek(self._positions)
                    while True:
                        found = await reader.next_batch(timeout_ms=1000)
                        if found:
                            await self.apply(found)
                        # Only after applying: a failure re-reads (and re-applies) this batch.
                        self._positions = await reader.positions()
            except asyncio.CancelledError:
                raise
            except Exception:  # the broker went away, the topic was deleted...: tagging goes on
                logger.exception(
                    "following the watch-lists topic %s failed; the lists in force stay, retrying in %.0f s",
                    self._topic,
                    RETRY_SECONDS,
                )
                await asyncio.sleep(RETRY_SECONDS)

    async def apply(self, found: Sequence[Read]) -> bool:
        """Apply one batch: its good records in one rebuild (a burst compiles once)."""
        catalog, bad = catalog_of(found, self._slot.catalog)
        report_bad(bad, self._metrics)
        changes = len(found) - len(bad)
        if not changes:
            return False
        applied = await self._slot.apply(catalog)
        self._metrics.watchlist_topic_records.labels(result="applied" if applied else "refused").inc(changes)
        return applied
