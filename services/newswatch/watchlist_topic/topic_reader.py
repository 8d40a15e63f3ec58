"""Read the watch-lists topic with a plain consumer of no group: from the beginning to its
end, then follow it. No group means no rebalance, and every reader sees every record.
"""

from __future__ import annotations

from types import TracebackType

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from newswatch.kafka.admin import partitions_of, quiet_client_logs
from newswatch.kafka.connection import KafkaConnection
from newswatch.watchlist_topic.exceptions import BadWatchlistRecord
from newswatch.watchlist_topic.records import MAX_RECORD_BYTES, Published, Removed, read_record

Change = Published | Removed
Read = Change | BadWatchlistRecord


class WatchlistTopicReader:
    """`async with WatchlistTopicReader(connection, topic) as reader:` then `read_to_end()`
    once, and `next_batch()` to follow; `positions` is where it would read next."""

    def __init__(self, connection: KafkaConnection, topic: str) -> None:
        self.topic = topic
        self._connection = connection
        self._consumer = AIOKafkaConsumer(
            **connection.client_kwargs(),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # One published list may be up to MAX_RECORD_BYTES; the broker returns a larger
            # record anyway, this only keeps several of them from being refused as one fetch.
            max_partition_fetch_bytes=MAX_RECORD_BYTES,
            # The worker follows the topic: a change should arrive in well under a second.
            fetch_max_wait_ms=200,
        )
        self._partitions: list[TopicPartition] = []

    async def __aenter__(self) -> WatchlistTopicReader:
        numbers = (await partitions_of(self._connection, [self.topic]))[self.topic]
        self._partitions = [TopicPartition(self.topic, number) for number in numbers]
        await self._consumer.start()
        self._consumer.assign(self._partitions)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._consumer.stop()

    async def read_to_end(self) -> list[Read]:
        """Every record from the beginning to the end the topic has now, in order per partition."""
        with quiet_client_logs():  # a just-created topic can refuse the first lookup
            await self._consumer.seek_to_beginning(*self._partitions)
            ends = await self._consumer.end_offsets(self._partitions)
        found: list[Read] = []
        while any([await self._consumer.position(tp) < end for tp, end in ends.items()]):
            found.extend(await self.next_batch(timeout_ms=500))
        return found

    async def next_batch(self, timeout_ms: int = 1000) -> list[Read]:
        """The records that arrived since the last call (waits up to `timeout_ms` for one)."""
        batches = await self._consumer.getmany(timeout_ms=timeout_ms)
        return [_read(message) for records in batches.values() for message in records]

    async def positions(self) -> dict[TopicPartition, int]:
        return {tp: await self._consumer.position(tp) for tp in self._partitions}

    def seek(self, positions: dict[TopicPartition, int]) -> None:
        """Continue from `positions` (another reader's, e.g. the one that read the topic at start)."""
        for tp, offset in positions.items():
            if tp in self._partitions:
                self._consumer.seek(tp, offset)


def _read(message: ConsumerRecord[bytes, bytes]) -> Read:
    try:
        return read_record(message.topic, message.partition, message.offset, message.key, message.value)
    except BadWatchlistRecord as exc:
        return exc
