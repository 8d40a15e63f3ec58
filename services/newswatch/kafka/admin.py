"""Topic administration and broker reachability, through aiokafka's admin client."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from newswatch.errors import BrokerError

_TOPIC_ALREADY_EXISTS = 36


async def broker_answers(bootstrap: str, timeout: float = 3.0) -> bool:
    """True when a metadata request to the cluster succeeds within `timeout` seconds."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
    with quiet_client_logs():
        try:
            await asyncio.wait_for(admin.start(), timeout)
            await asyncio.wait_for(admin.describe_cluster(), timeout)
            return True
        except (TimeoutError, KafkaError, OSError):
            return False
        finally:
            await admin.close()


@contextlib.contextmanager
def quiet_client_logs() -> Iterator[None]:
    """Silence aiokafka where a failure is expected and handled (a probe, a retried lookup)."""
    logger = logging.getLogger("aiokafka")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


async def wait_for_broker(bootstrap: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await broker_answers(bootstrap):
            return
        await asyncio.sleep(0.5)
    raise BrokerError(
        f"no Kafka broker answered a metadata request at {bootstrap} within {timeout:.0f} s; "
        "start one with `newswatch kafka up` or set NEWSWATCH_KAFKA_BOOTSTRAP"
    )


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], partitions: int, replication_factor: int
) -> list[str]:
    """Create the topics that do not exist yet; return the names that were created.

    Topics are created explicitly, before any client uses them, so that partition
    counts never come from a broker's auto-create defaults.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in dict.fromkeys(topics) if name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [NewTopic(name, partitions, replication_factor) for name in missing]
        )
        created = []
        for topic, code, message in _topic_errors(response):
            if code == 0:
                created.append(topic)
            elif code != _TOPIC_ALREADY_EXISTS:
                raise BrokerError(f"could not create topic {topic!r}: {message} (Kafka error {code})")
        await _wait_for_leaders(admin, created)
        return created
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, topics: list[str], timeout: float = 15.0) -> None:
    # A new topic answers metadata requests before its partitions have leaders; clients
    # that use it in that moment log NotLeaderForPartition errors. Wait it out here.
    deadline = time.monotonic() + timeout
    while topics and time.monotonic() < deadline:
        described = await admin.describe_topics(topics)
        if all(p["leader"] >= 0 for topic in described for p in topic["partitions"]) and all(
            topic["partitions"] for topic in described
        ):
            return
        await asyncio.sleep(0.1)


def _topic_errors(response: Any) -> list[tuple[str, int, str]]:
    # CreateTopicsResponse v0 has (topic, code); later versions add a message.
    rows = []
    for entry in response.topic_errors:
        topic, code = entry[0], entry[1]
        message = entry[2] if len(entry) > 2 and entry[2] else "no message from broker"
        rows.append((str(topic), int(code), str(message)))
    return rows


async def partitions_of(bootstrap: str, topics: Iterable[str]) -> dict[str, list[int]]:
    """Partition numbers of each topic; a topic the cluster does not have is an error."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    found = {}
    for topic in described:
        if topic["error_code"] != 0 or not topic["partitions"]:
            raise BrokerError(
                f"topic {topic['topic']!r} is not available (Kafka error {topic['error_code']}); "
                "create it with `newswatch topics`"
            )
        found[topic["topic"]] = sorted(p["partition"] for p in topic["partitions"])
    return found
