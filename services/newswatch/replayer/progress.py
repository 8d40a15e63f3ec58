"""A one-line progress display on stderr; quiet lines when stderr is not a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int | None, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.total = total
        self.stream = stream
        self.width = width
        self.done = 0
        self._interactive = stream.isatty()
        self._last_draw = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self._interactive and (now - self._last_draw > 0.1 or self.done == self.total):
            self._last_draw = now
            self.stream.write("\r" + self._line())
            self.stream.flush()

    def close(self) -> None:
        if self._interactive:
            self.stream.write("\r" + self._line() + "\n")
            self.stream.flush()

    def _line(self) -> str:
        if not self.total:
            return f"{self.done} articles sent"
        filled = int(self.width * min(self.done, self.total) / self.total)
        return f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} articles sent"
