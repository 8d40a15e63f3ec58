"""Records whose notifications are being delivered, acknowledged in their partition's order.

**Why.** A destination that hangs or keeps failing is retried for up to
NEWSWATCH_NOTIFY_RETRY_SECONDS. Handling one record at a time, that would hold up every
later record, and so every other subscription: one dead webhook would stall the email of
the next story for ten minutes. So each record's deliveries run in a task of their own,
and the agent goes on with the next record at once.

**At-least-once stays.** Kafka commits an offset for a whole partition prefix, so a record
is acknowledged (and its offset may be committed) only once its own deliveries and those
of every earlier record of its partition are done: delivered or dead-lettered. A crash
then reads again exactly the records whose deliveries had not all finished.

**Bounded.** At most `limit` records are held (running, or done and waiting behind an
earlier one of their partition); past that the agent waits, so memory and the redelivery
after a crash stay bounded, and a stuck destination slows intake instead of piling up.

No Kafka here: the service passes its events as `item`s and `stream.ack` as `ack`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 100


@dataclass(eq=False)
class _Entry(Generic[T]):
    item: T
    done: bool = False
    task: asyncio.Task[None] | None = field(default=None, repr=False)


class InFlight(Generic[T]):
    def __init__(self, ack: Callable[[T], Awaitable[object]], limit: int = DEFAULT_LIMIT) -> None:
        self._ack = ack
        self._slots = asyncio.Semaphore(limit)
        self._queues: dict[Hashable, deque[_Entry[T]]] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def held(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    async def add(self, partition: Hashable, item: T, work: Awaitable[None] | None) -> None:
        """Hold `item` until `work` (None: nothing to do) and everything before it in
        `partition` are done, then `ack` it. Waits while `limit` items are held.

        `work` runs in a task started here, so it sees the caller's context variables as
        they are now (Faust finds the event being processed there, for table writes).
        """
        await self._slots.acquire()
        entry: _Entry[T] = _Entry(item)
        self._queues.setdefault(partition, deque()).append(entry)
        if work is None:
            entry.done = True
            await self._release(partition)
            return
        entry.task = asyncio.get_running_loop().create_task(self._run(partition, entry, work))
        self._tasks.add(entry.task)
        entry.task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every item held now is done and acknowledged."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def cancel(self) -> None:
        """Stop every delivery (shutting down): what was not acknowledged is read again later."""
        for task in list(self._tasks):
            task.cancel()

    async def _run(self, partition: Hashable, entry: _Entry[T], work: Awaitable[None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug in one record's deliveries must not hold its partition forever
            logger.exception("delivering a record's notifications failed unexpectedly")
        entry.done = True
        await self._release(partition)

    async def _release(self, partition: Hashable) -> None:
        """Acknowledge the done items at the head of `partition`, oldest first."""
        async with self._locks.setdefault(partition, asyncio.Lock()):
            queue = self._queues[partition]
            while queue and queue[0].done:
                entry = queue.popleft()
                await self._ack(entry.item)
                self._slots.release()
