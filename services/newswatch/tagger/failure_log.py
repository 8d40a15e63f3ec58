"""How many tracebacks of failed records the worker logs: a few a minute, then a count.

A flood of records that all make the engine fail (one poison pattern, replayed) would
otherwise write a traceback per record until the disk is full. Every failed record still
becomes a dead letter and is counted in metrics; only its traceback may be left out.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class FailureLogLimiter:
    """At most `limit` tracebacks per window of `window_seconds`; the rest are counted.

    Pure: it decides, the caller logs. Windows are fixed, not sliding: a failure opens
    one when none is open, and it closes `window_seconds` later.
    """

    def __init__(
        self, limit: int, window_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._window_started: float | None = None
        self._allowed = 0
        self._suppressed = 0
        # Suppressed in windows that have closed, not yet taken by `take_suppressed`.
        self._unreported = 0

    def allow(self) -> bool:
        """True: log this failure's traceback. False: it is only counted."""
        now = self._clock()
        self._close_window_if_over(now)
        if self._window_started is None:
            self._window_started = now
        if self._allowed < self.limit:
            self._allowed += 1
            return True
        self._suppressed += 1
        return False

    def take_suppressed(self) -> int:
        """How many tracebacks closed windows left out since the last call (then zero).

        A window still open reports nothing yet, so a flood gives one count per window.
        """
        self._close_window_if_over(self._clock())
        count, self._unreported = self._unreported, 0
        return count

    def _close_window_if_over(self, now: float) -> None:
        if self._window_started is not None and now - self._window_started >= self.window_seconds:
            self._unreported += self._suppressed
            self._window_started = None
            self._allowed = self._suppressed = 0
