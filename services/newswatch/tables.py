"""The one way newswatch makes a Faust table: in memory, emptied when partitions move.

Every table here (stories, sent notifications) is bounded by a window,
so it lives in Faust's memory store and is read back from its compacted changelog at
start-up and after each rebalance: the store keeps no offsets, so that recovery reads
every assigned partition from the changelog's start and rebuilds all the worker owns.

What Faust 0.15.3's memory store does not do is forget: at recovery it drops only the
keys it read at the previous recovery, so keys written since, of partitions the worker
lost, would stay in memory for good (growing with every rebalance) and come back stale
if the partition returned after the changelog's tombstones were compacted away. So the
table's memory is emptied when partitions are revoked. Faust sends that signal once the
agents have finished their events and the producer is flushed, with the flow stopped
until the recovery that follows completes.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.types import TableT


def memory_table(app: faust.App, name: str, *, partitions: int, help: str) -> TableT[Any, Any]:
    """A table `name` (changelog `{app_id}-{name}-changelog`) in the memory store,
    emptied on every partition revocation; values are JSON, missing keys read as None."""
    table = app.Table(name, default=None, store="memory://", partitions=partitions, help=help)

    def empty(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        store = table.data
        store.data.clear()  # type: ignore[attr-defined]
        store._key_partition.clear()  # type: ignore[attr-defined]

    app.on_partitions_revoked.connect(empty)
    return table
