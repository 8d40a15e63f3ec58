"""The notifier's agent loop: records start work that finishes later,
and are acknowledged in their partition's order once it is done (`InFlight`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

import faust
from faust.types import EventT

from newswatch.notify.inflight import InFlight

logger = logging.getLogger(__name__)

Start = Callable[[EventT[Any]], Awaitable[None] | None]


async def handle_in_partition_order(stream: faust.StreamT[bytes], start: Start, doing: str) -> None:
    """Call `start` on each event of `stream` on the agent's task (so that table writes go
    to the event's changelog partition) and hand the work it returns (None: nothing to
    wait for) to `InFlight`, which acknowledges the event once that work and the work of
    every earlier event of its partition are done. A record whose `start` raises is logged
    as "`doing` TOPIC partition P offset O failed" and acknowledged in its turn: one record
    must not stop the others. On stopping, what was not acknowledged is read again after
    a restart."""
    manual = cast("faust.Stream[bytes]", stream).noack()  # StreamT does not declare noack
    in_flight: InFlight[EventT[Any]] = InFlight(manual.ack)
    try:
        async for event in manual.events():
            try:
                work = start(event)
            except Exception:
                message = event.message
                where = (message.topic, message.partition, message.offset)
                logger.exception("%s %s partition %d offset %d failed", doing, *where)
                work = None
            await in_flight.add(event.message.tp, event, work)
    finally:
        in_flight.cancel()
