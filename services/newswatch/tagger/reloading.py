"""Watch-lists reloaded by a running worker on SIGHUP, without a restart or a rebalance.

An analyst edits the YAML files; the operator sends SIGHUP (`kill -HUP PID`). The files
are loaded and compiled in a thread, so records keep flowing meanwhile. Only a valid
set replaces the engine, in one assignment that lands between two records; with an
invalid set the running lists stay in use and every problem is logged as
`file:line: message`, as `newswatch watchlists check` prints it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from newswatch.errors import NewswatchError
from newswatch.metrics import TaggerMetrics
from newswatch.watchlists import Engine

logger = logging.getLogger(__name__)


class EngineSlot:
    """The engine the agent uses for the next record; swapped whole, never changed in place."""

    def __init__(self, engine: Engine, load: Callable[[], Engine], metrics: TaggerMetrics) -> None:
        self.current = engine
        self._load = load
        self._metrics = metrics
        # Signals can come in bursts: one reload at a time, the last one reads the latest files.
        self._lock = asyncio.Lock()
        self._pending: set[asyncio.Task[bool]] = set()
        metrics.watchlists_loaded.set_to_current_time()

    def reload_soon(self) -> None:
        """Start a reload on the running loop (what the SIGHUP handler calls)."""
        task = asyncio.get_running_loop().create_task(self.reload())
        self._pending.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._pending.discard)

    async def reload(self) -> bool:
        """Load the watch-lists again; True if they replaced the running ones."""
        async with self._lock:
            try:
                engine = await asyncio.to_thread(self._load_warm)
            except Exception as exc:  # neither a bad edit nor a bug may stop the worker
                # Invalid files are named with file:line in the message; anything else is a
                # bug, logged with its traceback.
                bug = not isinstance(exc, NewswatchError)
                logger.error("watch-lists not reloaded; the running ones stay in use: %s", exc, exc_info=bug)
                self._metrics.watchlist_reloads.labels(result="failed").inc()
                return False
            self.current = engine
            self._metrics.watchlist_reloads.labels(result="ok").inc()
            self._metrics.watchlists_loaded.set_to_current_time()
            logger.info("watch-lists reloaded: %s", ", ".join(engine.watchlist_names))
            return True

    def _load_warm(self) -> Engine:
        engine = self._load()
        # Lazy tables are built on the first match, and a new set of languages loads its
        # model on the first detection (seconds): pay for both here, not on a record's budget.
        engine.match("warm-up", "warm-up", None)
        engine.detect_language("warm-up")
        return engine
