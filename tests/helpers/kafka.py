"""Read and write topics with clients independent of the service under test.

Reading uses kcat (Debian package `kcat`), so what the tests see is what any other
consumer of the alerts topic would see. Writing raw bytes uses a plain aiokafka producer.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

_SEPARATOR = "\x1f"


def _kcat_consume(bootstrap: str, topic: str, line_format: str) -> list[str]:
    """Every record now on `topic`, from the beginning to the end, one formatted line each."""
    kcat = shutil.which("kcat")
    if kcat is None:
        pytest.fail("kcat is needed to read topics independently: apt-get install kcat")
    result = subprocess.run(
        [kcat, "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
         # Without this, kcat waits 500 ms at the end of each partition before it can exit.
         "-X", "fetch.wait.max.ms=5", "-f", line_format],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"kcat could not read {topic}: {result.stderr}")
    return [line for line in result.stdout.splitlines() if line]


def kcat_read(bootstrap: str, topic: str) -> list[tuple[str, str]]:
    """Every record now on `topic`, as (key, value) text pairs, from the beginning to the end."""
    lines = _kcat_consume(bootstrap, topic, f"%k{_SEPARATOR}%s\\n")
    return [tuple(line.split(_SEPARATOR, 1)) for line in lines]  # type: ignore[misc]


def wait_for_records(bootstrap: str, topic: str, count: int, timeout: float = 60.0) -> list[tuple[str, Any]]:
    """Poll until at least `count` records are on `topic`; values parsed as JSON."""
    deadline = time.monotonic() + timeout
    records: list[tuple[str, str]] = []
    while time.monotonic() < deadline:
        records = kcat_read(bootstrap, topic)
        if len(records) >= count:
            return [(key, json.loads(value)) for key, value in records]
        time.sleep(0.5)
    pytest.fail(f"expected {count} records on {topic} within {timeout:.0f} s, found {len(records)}")


def wait_for_keys(bootstrap: str, topic: str, keys: set[str], timeout: float = 30.0) -> list[tuple[str, str]]:
    """Poll until a record with each of `keys` (JSON-quoted on the wire or not) is on `topic`;
    every record then, as kcat_read gives them."""
    deadline = time.monotonic() + timeout
    while True:
        records = kcat_read(bootstrap, topic)
        missing = keys - {key.strip('"') for key, _ in records}
        if not missing:
            return records
        if time.monotonic() > deadline:
            pytest.fail(f"{topic} lacks the keys {sorted(missing)} after {timeout:.0f} s")
        time.sleep(0.5)


def produce_raw(bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes | None]]) -> None:
    """Send records byte for byte, in order, to partition 0 so their order is kept."""

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for key, value in records:
                await producer.send_and_wait(topic, value=value, key=key, partition=0)
        finally:
            await producer.stop()

    asyncio.run(send())


def kcat_positions(bootstrap: str, topic: str) -> dict[str, tuple[int, int]]:
    """Key -> (partition, offset) of every record now on `topic` (the last one per key)."""
    positions = {}
    for line in _kcat_consume(bootstrap, topic, "%k %p %o\\n"):
        key, partition, offset = line.rsplit(" ", 2)
        positions[key] = (int(partition), int(offset))
    return positions
