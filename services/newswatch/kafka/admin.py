"""Topic administration and broker reachability, through aiokafka's admin client."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import AuthenticationFailedError, KafkaError, SaslAuthenticationFailed

from newswatch.errors import BrokerError
from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.watchlist_topic.records import MAX_RECORD_BYTES

_TOPIC_ALREADY_EXISTS = 36
CHANGELOG_SUFFIX = "-changelog"
# The largest watch-list record, and room for its batch's own headers.
WATCHLIST_TOPIC_MAX_MESSAGE_BYTES = MAX_RECORD_BYTES + 64 * 1024


async def broker_answers(connection: KafkaConnection, timeout: float = 3.0) -> bool:
    """True when a metadata request to the cluster succeeds within `timeout` seconds.

    A broker that answers but refuses our credentials or certificate is not a broker
    that is still starting: that raises `BrokerError` at once, so a wrong password
    fails fast instead of after a long wait.
    """
    admin = AIOKafkaAdminClient(**connection.client_kwargs(), request_timeout_ms=int(timeout * 1000))
    with quiet_client_logs() as failures:
        try:
            await asyncio.wait_for(admin.start(), timeout)
            await asyncio.wait_for(admin.describe_cluster(), timeout)
            return True
        except (TimeoutError, KafkaError, OSError) as exc:
            # aiokafka logs why a connection failed and then raises a generic error.
            for cause in [exc, *failures]:
                _raise_if_refused(cause, connection)
            return False
        finally:
            await admin.close()


def _raise_if_refused(cause: BaseException, connection: KafkaConnection) -> None:
    if isinstance(cause, (AuthenticationFailedError, SaslAuthenticationFailed)):
        raise BrokerError(
            f"Kafka at {connection.describe()} refused the credentials ({type(cause).__name__}); check "
            "NEWSWATCH_KAFKA_SASL_USERNAME, NEWSWATCH_KAFKA_SASL_PASSWORD and NEWSWATCH_KAFKA_SASL_MECHANISM"
        )
    if isinstance(cause, ssl.SSLError):
        raise BrokerError(
            f"TLS with Kafka at {connection.describe()} failed ({cause.reason or cause}); "
            "check NEWSWATCH_KAFKA_SSL_CAFILE and the client certificate settings"
        )


class _FailureCollector(logging.Handler):
    """Keeps the exceptions aiokafka logs (as message arguments) instead of printing them."""

    def __init__(self) -> None:
        super().__init__()
        self.failures: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        arguments = record.args if isinstance(record.args, tuple) else ()
        self.failures.extend(arg for arg in arguments if isinstance(arg, BaseException))


@contextlib.contextmanager
def quiet_client_logs() -> Iterator[list[BaseException]]:
    """Silence aiokafka where a failure is expected and handled (a probe, a retried lookup).

    Yields the exceptions it logged meanwhile, so the caller can tell "not up yet" from
    "refused our credentials".
    """
    logger = logging.getLogger("aiokafka")
    collector = _FailureCollector()
    previous, propagate = logger.level, logger.propagate
    logger.addHandler(collector)
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    try:
        yield collector.failures
    finally:
        logger.removeHandler(collector)
        logger.setLevel(previous)
        logger.propagate = propagate


async def wait_for_broker(connection: KafkaConnection, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await broker_answers(connection):
            return
        await asyncio.sleep(0.5)
    raise BrokerError(
        f"no Kafka broker answered a metadata request at {connection.describe()} within {timeout:.0f} s; "
        "start one with `newswatch kafka up` or set NEWSWATCH_KAFKA_BOOTSTRAP"
    )


async def ensure_topics(
    connection: KafkaConnection,
    topics: Iterable[str],
    partitions: int,
    replication_factor: int,
    configs: Mapping[str, str] | None = None,
) -> list[str]:
    """Create the topics that do not exist yet; return the names that were created.

    Topics are created explicitly, before any client uses them, so that partition
    counts never come from a broker's auto-create defaults. `configs` are given to every
    topic created (default: compacted if a changelog, else the broker's defaults).
    """
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in dict.fromkeys(topics) if name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [
                NewTopic(name, partitions, replication_factor, topic_configs=dict(configs or _configs(name)))
                for name in missing
            ]
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


def _configs(topic: str) -> dict[str, str]:
    # A table's changelog (Faust names them `{app_id}-{table}-changelog`) keeps the latest
    # value of each key: compacted, never deleted by age, or a restart would lose state.
    return {"cleanup.policy": "compact"} if topic.endswith(CHANGELOG_SUFFIX) else {}


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


async def partitions_of(connection: KafkaConnection, topics: Iterable[str]) -> dict[str, list[int]]:
    """Partition numbers of each topic; a topic the cluster does not have is an error."""
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
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


async def prepare_newswatch_topics(
    connection: KafkaConnection, settings: Settings, wait_seconds: float = 30.0
) -> list[str]:
    """Wait for the cluster (a refused password fails at once), then create missing topics.

    Returns the topics created, all with the configured partitions: the articles, alerts,
    dead-letter, stories and spikes topics and, with stories enabled, the stories stage's
    repartition topic and its table's changelog (compacted); and the watch-lists topic
    (compacted, one partition). Those two must have as many
    partitions as each other: a table's changelog partition is its source partition.
    """
    await wait_for_broker(connection, wait_seconds)
    created = await ensure_topics(
        connection, settings.all_topics, settings.topic_partitions, settings.topic_replication_factor
    )
    return created + await ensure_watchlists_topic(connection, settings)


async def ensure_watchlists_topic(connection: KafkaConnection, settings: Settings) -> list[str]:
    """Create the watch-lists topic if missing: compacted (the latest record of each name is
    kept for ever), one partition (a handful of records), records as large as a list may be."""
    return await ensure_topics(
        connection,
        [settings.watchlists_topic],
        partitions=1,
        replication_factor=settings.topic_replication_factor,
        configs={"cleanup.policy": "compact", "max.message.bytes": str(WATCHLIST_TOPIC_MAX_MESSAGE_BYTES)},
    )


async def delete_topics(connection: KafkaConnection, topics: Iterable[str]) -> None:
    """Delete topics (benchmarks and tests clean up after themselves); missing ones are ignored."""
    names = list(dict.fromkeys(topics))
    if not names:
        return
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
    await admin.start()
    try:
        with quiet_client_logs():
            await admin.delete_topics(names)
    finally:
        await admin.close()
