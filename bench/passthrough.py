"""The throughput ceiling: a plain aiokafka consumer that forwards each record unchanged.

    python bench/passthrough.py SOURCE DEST COUNT

Run by bench/pipeline.py in its own process (like a worker). Reads SOURCE from the
beginning (all partitions assigned, no group), sends every record of each `getmany`
batch to DEST and flushes before the next fetch (the best batching a consumer that
must not lose records can do), and stops after COUNT records. Connects with the
NEWSWATCH_KAFKA_* settings. Prints one JSON line, `first_event_at` (wall clock), when
the first batch that holds records arrives, as bench/faust_passthrough.py does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from newswatch.kafka.admin import partitions_of, quiet_client_logs
from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings


async def forward(connection: KafkaConnection, source: str, dest: str, count: int) -> None:
    consumer = AIOKafkaConsumer(
        **connection.client_kwargs(),
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 << 20,
        fetch_max_bytes=16 << 20,
    )
    producer = AIOKafkaProducer(**connection.client_kwargs(), acks="all", linger_ms=5, max_batch_size=1 << 20)
    await consumer.start()
    await producer.start()
    try:
        known = await partitions_of(connection, [source])
        partitions = [TopicPartition(source, p) for p in known[source]]
        consumer.assign(partitions)
        with quiet_client_logs():
            await consumer.seek_to_beginning(*partitions)
        forwarded = 0
        while forwarded < count:
            batch = await consumer.getmany(timeout_ms=200, max_records=10_000)
            if batch and not forwarded:
                print(json.dumps({"first_event_at": time.time()}), flush=True)
            for records in batch.values():
                for record in records:
                    await producer.send(dest, value=record.value, key=record.key)
                    forwarded += 1
            await producer.flush()
    finally:
        await producer.stop()
        await consumer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source")
    parser.add_argument("dest")
    parser.add_argument("count", type=int)
    args = parser.parse_args()
    connection = KafkaConnection.from_settings(Settings())
    asyncio.run(forward(connection, args.source, args.dest, args.count))


if __name__ == "__main__":
    main()
