"""A `newswatch worker` run as a child process: started, proven healthy, stopped.

One place for what `newswatch run`, the integration tests and the benchmarks all do
with a worker: start it with its output in a log file, wait until it serves
/healthz (or fail with the end of that log), read its /metrics, and stop it with
SIGTERM, then SIGKILL when it does not exit in time.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from prometheus_client.parser import text_string_to_metric_families

from newswatch.errors import NewswatchError

_POLL_S = 0.2
_LOG_TAIL_CHARS = 3000

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


class WorkerProcessError(NewswatchError):
    """The worker exited, or never served /healthz; `tail` is the end of its log."""

    def __init__(self, reason: str, log: Path) -> None:
        self.log = log
        self.tail = log_tail(log)
        super().__init__(f"{reason}; see {log}")


class WorkerProcess:
    """One `python -m newswatch worker` process; use `start`, then `wait_healthy`."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path, host: str, port: int) -> None:
        self.process = process
        self.log = log
        self.port = port
        self.base_url = f"http://{host}:{port}"

    @classmethod
    def start(
        cls,
        env: Mapping[str, str],
        log: Path,
        *,
        port: int,
        host: str = "127.0.0.1",
        cwd: Path | None = None,
        append: bool = False,
        command: tuple[str, ...] = ("worker",),
    ) -> WorkerProcess:
        """Start the worker with exactly `env`; `host:port` must be the metrics address it reads there.

        `command`: the `newswatch` arguments; `("notify", "run")` starts the notifier,
        which serves /healthz the same way (on NEWSWATCH_NOTIFY_METRICS_PORT).

        The worker gets a session of its own, so Ctrl-C reaches only its starter, which
        stops it (`stop`, or leaving a `with` block).
        """
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab" if append else "wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "newswatch", *command],
                env=dict(env),
                cwd=cwd,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return cls(process, log, host, port)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def metrics_url(self) -> str:
        return self.base_url + "/metrics"

    @property
    def healthz_url(self) -> str:
        return self.base_url + "/healthz"

    def check_running(self, *, on_start: bool = False) -> None:
        """Raise WorkerProcessError if the process has exited."""
        code = self.process.poll()
        if code is not None:
            when = " on start" if on_start else ""
            raise WorkerProcessError(f"the worker exited with code {code}{when}", self.log)

    def wait_healthy(self, timeout: float) -> None:
        """Return once /healthz answers; WorkerProcessError if the worker exits or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._answers():
                return
            time.sleep(_POLL_S)
        raise self._not_healthy(timeout)

    async def wait_healthy_async(self, timeout: float) -> None:
        """`wait_healthy` for a caller with an event loop to keep running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await asyncio.to_thread(self._answers):
                return
            await asyncio.sleep(_POLL_S)
        raise self._not_healthy(timeout)

    def _answers(self) -> bool:
        self.check_running(on_start=True)
        try:
            urllib.request.urlopen(self.healthz_url, timeout=1).close()
        except OSError:  # refused, reset, timed out, or an HTTP error status
            return False
        return True

    def _not_healthy(self, timeout: float) -> WorkerProcessError:
        return WorkerProcessError(
            f"the worker did not serve {self.healthz_url} within {timeout:.0f} s", self.log
        )

    def scrape(self) -> str:
        """The worker's /metrics page (Prometheus text format)."""
        with urllib.request.urlopen(self.metrics_url, timeout=5) as response:
            return str(response.read().decode())

    def samples(self) -> Samples:
        """Every sample on /metrics: (name, sorted label pairs) -> value."""
        return metric_samples(self.scrape())

    def lists_in_force(self) -> dict[str, tuple[str, str]]:
        """Watch-list name -> (version, origin) of the lists the worker tags with now."""
        return {
            labels["watchlist"]: (labels["version"], labels["origin"])
            for (name, pairs), value in self.samples().items()
            if name == "newswatch_watchlist_in_force_info" and value == 1
            for labels in [dict(pairs)]
        }

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, up to `timeout` seconds to exit, then SIGKILL; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def metric_samples(text: str) -> Samples:
    """Prometheus text as (name, sorted label pairs) -> value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def log_tail(log: Path) -> str:
    """The last few thousand characters of a log file, or a note that it cannot be read."""
    try:
        return log.read_text(errors="replace")[-_LOG_TAIL_CHARS:]
    except OSError as exc:
        return f"(log not readable: {exc})"
