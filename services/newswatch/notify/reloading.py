"""Subscriptions reloaded by a running notifier on SIGHUP, as the worker reloads watch-lists.

The operator edits the subscriptions file and sends SIGHUP (`kill -HUP PID`). The file is
read and checked in a thread (against the watch-lists, with `secret_env`/`secret_file`
read again), so records keep flowing meanwhile. Only a valid file replaces the running
subscriptions, in one assignment that lands between two records; an invalid one leaves
them in use and every problem is logged as `file:line: message`, as
`newswatch notify check` prints it.

Notification ids do not depend on when the file was read, so a record handled once
before and once after a reload (after a crash) still makes the same ids.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from newswatch.errors import NewswatchError
from newswatch.metrics import NotifyMetrics
from newswatch.notify.subscriptions import Subscription

logger = logging.getLogger(__name__)

Load = Callable[[], Sequence[Subscription]]


def channels_of(subscriptions: Sequence[Subscription]) -> list[tuple[str, list[str]]]:
    """(name, channels) of each subscription: the series the metrics start at zero."""
    return [(s.name, sorted({d.channel for d in s.to})) for s in subscriptions]


class SubscriptionsSlot:
    """The subscriptions the next record is routed with; swapped whole, never changed in place."""

    def __init__(self, subscriptions: Sequence[Subscription], load: Load, metrics: NotifyMetrics) -> None:
        self.current: tuple[Subscription, ...] = tuple(subscriptions)
        self._load = load
        self._metrics = metrics
        # Signals can come in bursts: one reload at a time, the last one reads the latest file.
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[bool]] = set()
        metrics.subscriptions_loaded.set_to_current_time()

    def reload_soon(self) -> None:
        """Start a reload on the running loop (what the SIGHUP handler calls)."""
        task = asyncio.get_running_loop().create_task(self.reload())
        self._tasks.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._tasks.discard)

    async def reload(self) -> bool:
        """Read the file again; True if its subscriptions replaced the running ones."""
        async with self._lock:
            try:
                subscriptions = tuple(await asyncio.to_thread(self._load))
            except Exception as exc:  # neither a bad edit nor a bug may stop the notifier
                # SubscriptionsInvalid's message is its file:line lines; anything else is a
                # bug, logged with its traceback.
                bug = not isinstance(exc, NewswatchError)
                logger.error(
                    "subscriptions not reloaded; the running ones stay in use: %s", exc, exc_info=bug
                )
                self._metrics.subscription_reloads.labels(result="failed").inc()
                return False
            self._metrics.declare(channels_of(subscriptions))
            self.current = subscriptions
            self._metrics.subscription_reloads.labels(result="ok").inc()
            self._metrics.subscriptions_loaded.set_to_current_time()
            logger.info(
                "subscriptions reloaded: %d (%s)",
                len(subscriptions),
                ", ".join(s.name for s in subscriptions),
            )
            return True
