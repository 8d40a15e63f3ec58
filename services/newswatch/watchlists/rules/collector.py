"""Reading and compiling many watch-lists with Python's cyclic garbage collector paused.

100,000 lists are millions of objects that all live on; the collector, started every
few thousand new objects, walks the ones already made again and again (a third of
reading 40,000 lists). Reading and compiling make no garbage cycles worth collecting,
so the collector is paused for their duration and resumed as it was, as CPython's
`gc` documentation suggests for building long-lived structures.

The objects made meanwhile are then handed to the oldest generation, as the long-lived
objects they are: left in the youngest, the first collection after the pause would
walk them all (1.2 s for 100,000 lists, once after reading and once after compiling)
and move them on, to be walked again a generation later. In the oldest generation only
a full collection visits them, as it would have anyway once they got there.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector inside the block (nested blocks are fine); resume it after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _to_oldest_generation()
            gc.enable()


def _to_oldest_generation() -> None:
    """Move every object the collector tracks into its oldest generation, without walking them.

    `gc.unfreeze` puts the frozen objects "back into the oldest generation"; newswatch
    freezes nothing else, so the pair only moves the young ones there.
    """
    gc.freeze()
    gc.unfreeze()
