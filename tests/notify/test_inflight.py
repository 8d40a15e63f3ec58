"""Records in flight: delivered concurrently, acknowledged in their partition's order."""

from __future__ import annotations

import asyncio

from newswatch.notify.inflight import InFlight


async def test_a_slow_record_holds_back_the_acks_of_its_partition_only() -> None:
    acked: list[str] = []

    async def ack(item: str) -> None:
        acked.append(item)

    in_flight: InFlight[str] = InFlight(ack)
    slow = asyncio.Event()
    await in_flight.add(0, "p0-slow", slow.wait())
    await in_flight.add(0, "p0-fast", asyncio.sleep(0))
    await in_flight.add(0, "p0-nothing", None)
    await in_flight.add(1, "p1-fast", asyncio.sleep(0))
    await asyncio.sleep(0.01)
    assert acked == ["p1-fast"]  # p0-fast is done, but waits for p0-slow
    assert in_flight.held == 3
    slow.set()
    await in_flight.drain()
    assert acked == ["p1-fast", "p0-slow", "p0-fast", "p0-nothing"]
    assert in_flight.held == 0


async def test_at_the_limit_the_caller_waits_and_a_failing_record_is_still_acknowledged() -> None:
    acked: list[str] = []

    async def ack(item: str) -> None:
        acked.append(item)

    gate, fail = asyncio.Event(), asyncio.Event()

    async def boom() -> None:
        await fail.wait()
        raise RuntimeError("a bug")

    in_flight: InFlight[str] = InFlight(ack, limit=2)
    await in_flight.add(0, "a", gate.wait())
    await in_flight.add(1, "b", boom())
    third = asyncio.create_task(in_flight.add(2, "c", None))
    await asyncio.sleep(0.01)
    assert not third.done(), "a and b are held: c waits"
    fail.set()
    await asyncio.wait_for(third, 1)
    assert acked == ["b", "c"], "b's failure is logged, and b acknowledged"
    gate.set()
    await in_flight.drain()
    assert acked == ["b", "c", "a"]
