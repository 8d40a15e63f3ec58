"""The engine a running worker tags with, rebuilt without a restart or a rebalance when
the watch-lists change: on SIGHUP (the files) or on a record of the watch-lists topic.

An analyst edits the YAML files and the operator sends SIGHUP (`kill -HUP PID`), or
someone runs `newswatch watchlists publish`/`remove`. Either way the lists in force are
the files' overlaid by the topic's (watchlist_topic/catalog.py), compiled in a thread so
records keep flowing meanwhile. Only a set that compiles replaces the engine, in one
assignment that lands between two records; otherwise the running lists stay in use and
the problem is logged (for files as `file:line: message`, as `newswatch watchlists
check` prints it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from newswatch.errors import NewswatchError
from newswatch.metrics import TaggerMetrics
from newswatch.watchlist_topic.catalog import Catalog, FileList, InForce, in_force
from newswatch.watchlists import Engine
from newswatch.watchlists.scoring.database_cache import DatabaseCache

logger = logging.getLogger(__name__)
_REFUSED = "%s; the running ones stay in use: %s"


def build_engine(
    files: Sequence[FileList],
    catalog: Catalog,
    previous: Engine | None = None,
    databases: DatabaseCache | None = None,
) -> tuple[Engine, list[InForce]]:
    """The warmed engine of the lists in force, and those lists (slow: run it in a thread).

    With `previous`, the engine in use: only the lists that changed are compiled again.
    With `databases`, a compiled automaton kept from an earlier start with the same lists
    is read instead of compiled (and a new one is kept there).
    """
    lists = in_force(files, catalog)
    engine = Engine([item.watchlist for item in lists], previous, databases=databases)
    # Lazy tables are built on the first match, and a new set of languages loads its
    # model on the first detection (seconds): pay for both here, not on a record's budget.
    engine.match("warm-up", "warm-up", None)
    engine.detect_language("warm-up")
    return engine, lists


class EngineSlot:
    """The engine the agent uses for the next record; swapped whole, never changed in place.

    Holds the file lists and the topic's catalog it was built from: a SIGHUP reads the files
    again and keeps the catalog, a topic record changes the catalog and keeps the files.
    """

    def __init__(
        self,
        built: tuple[Engine, list[InForce]],
        files: list[FileList],
        catalog: Catalog,
        load_files: Callable[[], list[FileList]],
        metrics: TaggerMetrics,
        *,
        databases: DatabaseCache | None = None,
    ) -> None:
        self.files = files
        self._databases = databases
        self.catalog = catalog
        self.current, self.in_force = built
        self._load_files = load_files
        self._metrics = metrics
        # Signals can come in bursts, records in batches: one rebuild at a time, and each
        # reads the latest files and catalog, so the last one leaves the latest state.
        self._lock = asyncio.Lock()
        self._pending: set[asyncio.Task[bool]] = set()
        self._show()

    @classmethod
    def start(
        cls,
        files: list[FileList],
        catalog: Catalog,
        load_files: Callable[[], list[FileList]],
        metrics: TaggerMetrics,
        *,
        databases: DatabaseCache | None = None,
    ) -> EngineSlot:
        """The slot of the lists in force at start, compiled here (before any record), or read
        from `databases` when an earlier start compiled the same lists."""
        built = build_engine(files, catalog, databases=databases)
        return cls(built, files, catalog, load_files, metrics, databases=databases)

    def reload_soon(self) -> None:
        """Start a reload on the running loop (what the SIGHUP handler calls)."""
        task = asyncio.get_running_loop().create_task(self.reload())
        self._pending.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._pending.discard)

    async def reload(self) -> bool:
        """Load the files again (SIGHUP); True if the lists in force were replaced."""
        async with self._lock:
            try:
                files = await asyncio.to_thread(self._load_files)
                engine, lists = await asyncio.to_thread(
                    build_engine, files, self.catalog, self.current, self._databases
                )
            except Exception as exc:  # neither a bad edit nor a bug may stop the worker
                logger.error(_REFUSED, "watch-lists not reloaded", exc, exc_info=_is_bug(exc))
                self._metrics.watchlist_reloads.labels(result="failed").inc()
                return False
            self.files = files
            self._swap(engine, lists, "reloaded")
            self._metrics.watchlist_reloads.labels(result="ok").inc()
            return True

    async def apply(self, catalog: Catalog) -> bool:
        """Use the topic's lists in `catalog` (a record arrived); True if they are in force."""
        async with self._lock:
            try:
                engine, lists = await asyncio.to_thread(
                    build_engine, self.files, catalog, self.current, self._databases
                )
            except Exception as exc:
                logger.error(_REFUSED, "watch-lists topic not applied", exc, exc_info=_is_bug(exc))
                return False
            self.catalog = catalog
            self._swap(engine, lists, "applied from the watch-lists topic")
            return True

    def _swap(self, engine: Engine, lists: list[InForce], how: str) -> None:
        self.current = engine
        self.in_force = lists
        self._show()
        logger.info("watch-lists %s: %s", how, describe(lists))

    def _show(self) -> None:
        self._metrics.show_in_force(
            (item.name, item.version, item.sha256, item.origin) for item in self.in_force
        )


def describe(lists: Sequence[InForce]) -> str:
    """`name version N (origin, sha256 abcdef012345)` of each list, for the log."""
    return ", ".join(
        f"{item.name} version {item.version} ({item.origin}, sha256 {item.sha256[:12]})" for item in lists
    )


def _is_bug(exc: Exception) -> bool:
    # Invalid files are named with file:line in the message; anything else is a bug,
    # logged with its traceback.
    return not isinstance(exc, NewswatchError)
