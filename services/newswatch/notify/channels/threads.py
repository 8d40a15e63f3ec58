"""Blocking clients (smtplib, apprise) run in a channel's own threads, under a time limit.

Each channel has its own pool, so a chat service that hangs takes chat threads only and
email keeps flowing. A thread cannot be killed: past the limit the caller gets a
TimeoutError at once, and the thread ends when its client's own socket timeout fires
(both clients are given one); until then it keeps its place in the pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

DEFAULT_THREADS = 8


class ThreadRunner:
    def __init__(self, name: str, threads: int = DEFAULT_THREADS) -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"newswatch-{name}")

    async def run(self, call: Callable[[], T], timeout_seconds: float) -> T:
        """`call()` in a thread of this pool; TimeoutError after `timeout_seconds`."""
        future = asyncio.get_running_loop().run_in_executor(self._executor, call)
        return await asyncio.wait_for(future, timeout_seconds)

    def close(self) -> None:
        """Drop what has not started; threads still running end with their socket timeout."""
        self._executor.shutdown(wait=False, cancel_futures=True)
