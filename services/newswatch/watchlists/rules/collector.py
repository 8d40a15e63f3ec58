"""Reading and compiling many watch-lists with Python's cyclic garbage collector paused.

100,000 lists are millions of objects that all live on; the collector, started every
few thousand new objects, walks the ones already made again and again (a third of
reading 40,000 lists). Reading and compiling make no garbage cycles worth collecting,
so the collector is paused for their duration and resumed as it was, as CPython's
`gc` documentation suggests for building long-lived structures.
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
            gc.enable()
