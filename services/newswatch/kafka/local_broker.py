"""A single-node Kafka (KRaft) for this machine, run from jars that Maven resolves.

Layout under the state folder (ignored by git):
    kafka/libs/        jars copied by `mvn dependency:copy-dependencies`
    kafka/data/        the broker's log.dirs (formatted once by StorageTool)
    kafka/logs/        server.log and the JVM's stdout
    kafka/broker.pid   pid of the running broker
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from newswatch.errors import BrokerError, MissingToolError
from newswatch.kafka.admin import broker_answers, wait_for_broker
from newswatch.kafka.connection import KafkaConnection

if TYPE_CHECKING:
    from newswatch.settings import Settings

_START_TIMEOUT_S = 90.0
_STOP_TIMEOUT_S = 30.0


def find_deploy_dir(start: Path | None = None) -> Path:
    """The `deploy/kafka` folder of the checkout we run in (holds pom.xml and templates)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "deploy" / "kafka"
        if (candidate / "pom.xml").is_file():
            return candidate
    raise BrokerError(
        f"deploy/kafka/pom.xml not found in {here} or above: run newswatch from the repository checkout "
        "to use the local broker, or set NEWSWATCH_KAFKA_BOOTSTRAP to an existing cluster"
    )


def new_cluster_id() -> str:
    """A random KRaft cluster id: 16 bytes, URL-safe base64 without padding.

    One id in 64 would start with '-', which StorageTool's argument parser takes for an
    option ("--cluster-id: expected one argument"); Kafka's own Uuid.randomUuid redraws
    those, and so do we.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


@dataclass(frozen=True)
class BrokerStatus:
    running: bool
    answering: bool
    pid: int | None
    bootstrap: str
    log_file: Path


class LocalBroker:
    """A single-node Kafka on 127.0.0.1, for development, `newswatch run` and the tests.

    Takes the deploy/kafka folder (Maven pom and config templates), the state folder
    (jars, data, logs, pid file under `kafka/`), the client and controller ports, and
    optionally shared jars, extra server properties and StorageTool arguments. Most
    callers want `from_settings`.

    Guarantees: `up` leaves a broker answering at `bootstrap` (reusing one already there)
    or raises `BrokerError` naming the log to read; `down` stops only the broker whose
    pid this folder recorded, never one it did not start. Plaintext, unauthenticated: not
    for production.
    """

    def __init__(
        self,
        deploy_dir: Path,
        state_dir: Path,
        port: int,
        controller_port: int,
        *,
        jars_dir: Path | None = None,
        extra_properties: Mapping[str, str] | None = None,
        format_args: Sequence[str] = (),
    ) -> None:
        self.deploy_dir = deploy_dir
        self.home = state_dir.resolve() / "kafka"
        self.port = port
        self.controller_port = controller_port
        # Several brokers (e.g. a test's own) can share one set of jars.
        self._libs = (jars_dir or self.home / "libs").resolve()
        # Appended after the template, so they override it (e.g. an extra SASL_SSL listener);
        # format_args go to StorageTool (e.g. --add-scram to create SCRAM users).
        self._extra_properties = dict(extra_properties or {})
        self._format_args = tuple(format_args)

    @classmethod
    def from_settings(cls, settings: Settings, checkout: Path | None = None) -> LocalBroker:
        """The broker `newswatch kafka` manages: its ports and state folder from the settings,
        its deploy/kafka folder found from `checkout` (default: the current folder) upwards."""
        return cls(
            find_deploy_dir(checkout),
            settings.state_dir,
            settings.local_kafka_port,
            settings.local_kafka_controller_port,
        )

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def connection(self) -> KafkaConnection:
        return KafkaConnection.plaintext(self.bootstrap)

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "server.log"

    @property
    def jars_dir(self) -> Path:
        return self._libs

    @property
    def _data(self) -> Path:
        return self.home / "data"

    @property
    def _pid_file(self) -> Path:
        return self.home / "broker.pid"

    def status(self) -> BrokerStatus:
        pid = self._running_pid()
        answering = asyncio.run(broker_answers(self.connection, timeout=2.0))
        return BrokerStatus(pid is not None, answering, pid, self.bootstrap, self.log_file)

    def up(self) -> BrokerStatus:
        """Start the broker unless one already answers here; wait until it answers."""
        if asyncio.run(broker_answers(self.connection, timeout=2.0)):
            return self.status()
        self._install_jars()
        self._write_config()
        self._format_storage()
        self._start()
        try:
            asyncio.run(wait_for_broker(self.connection, _START_TIMEOUT_S))
        except BrokerError as exc:
            raise BrokerError(f"{exc}; see {self.log_file} and {self.home / 'logs' / 'stdout.log'}") from exc
        return self.status()

    def down(self) -> bool:
        """Stop the broker this folder started; False when none was running."""
        pid = self._running_pid()
        if pid is None:
            self._pid_file.unlink(missing_ok=True)
            return False
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
        self._pid_file.unlink(missing_ok=True)
        return True

    def _running_pid(self) -> int | None:
        try:
            pid = int(self._pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def _install_jars(self) -> None:
        pom = self.deploy_dir / "pom.xml"
        stamp = self._libs / ".pom-mtime"
        if stamp.is_file() and stamp.read_text() == str(pom.stat().st_mtime_ns):
            return
        _require("java", "Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)")
        _require("mvn", "Apache Maven (Debian: apt-get install maven)")
        if self._libs.exists():
            shutil.rmtree(self._libs)
        self._libs.mkdir(parents=True)
        command = [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={self._libs}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BrokerError(
                f"Maven could not resolve the Kafka jars:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        stamp.write_text(str(pom.stat().st_mtime_ns))

    def _write_config(self) -> None:
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        values = {
            "port": self.port,
            "controller_port": self.controller_port,
            "data_dir": self._data,
            "log_file": self.log_file,
        }
        for name in ("server.properties", "log4j.properties"):
            template = (self.deploy_dir / f"{name}.template").read_text()
            text = template.format(**values)
            if name == "server.properties" and self._extra_properties:
                text += "\n" + "".join(f"{key}={value}\n" for key, value in self._extra_properties.items())
            (self.home / name).write_text(text)

    def _format_storage(self) -> None:
        if (self._data / "meta.properties").is_file():
            return
        _require("java", "Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)")
        result = subprocess.run(
            [
                *self._java(),
                "kafka.tools.StorageTool",
                "format",
                f"--cluster-id={new_cluster_id()}",
                "--config",
                str(self.home / "server.properties"),
                "--ignore-formatted",
                *self._format_args,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BrokerError(
                f"formatting Kafka storage in {self._data} failed:\n{result.stdout}{result.stderr}"
            )

    def _start(self) -> None:
        stdout = (self.home / "logs" / "stdout.log").open("ab")
        process = subprocess.Popen(
            [*self._java(), "kafka.Kafka", str(self.home / "server.properties")],
            stdout=stdout,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._pid_file.write_text(str(process.pid))

    def _java(self) -> list[str]:
        return [
            "java",
            "-Xms256m",
            "-Xmx768m",
            "-XX:+UseG1GC",
            f"-Dlog4j.configuration=file:{self.home / 'log4j.properties'}",
            "-cp",
            f"{self._libs}/*",
        ]


def _require(tool: str, hint: str) -> None:
    if shutil.which(tool) is None:
        raise MissingToolError(tool, hint)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); look at its state to be sure.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1]
    except (FileNotFoundError, IndexError):
        return True
    return state != "Z"
