"""A real Prometheus (Debian's `prometheus` binary) scrapes a real worker and loads the alert rules.

What operators see in Prometheus must match what is on the topics: the consumed-articles
count equals the records replayed, and the alerts per watch-list equal the alerts on the
alerts topic (read with kcat). The rules of deploy/prometheus/rules.yml load and evaluate
against the real series, NewswatchDeadLetters fires for a broken record, and every metric
the dashboard and the rules use is really scraped.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.environment import free_port, run_newswatch
from tests.helpers.kafka import kcat_read, produce_raw, wait_for_records
from tests.helpers.monitoring import (
    PROMETHEUS_CONFIG,
    RULES_FILE,
    dashboard_expressions,
    metric_names_in,
    notifier_metric_names,
    rule_expressions,
)
from tests.helpers.paths import REPO_ROOT
from tests.helpers.workers import StartWorker

pytestmark = pytest.mark.integration

# The job name of the shipped config: the rules select it.
JOB = yaml.safe_load(PROMETHEUS_CONFIG.read_text())["scrape_configs"][0]["job_name"]
STARTUP_TIMEOUT = 30.0
WAIT_TIMEOUT = 90.0


class RunningPrometheus:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    def api(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}{query}", timeout=10) as response:
            body = json.loads(response.read())
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> dict[tuple[tuple[str, str], ...], float]:
        """Instant query: labels (sorted pairs) -> value."""
        return {
            tuple(sorted(sample["metric"].items())): float(sample["value"][1])
            for sample in self.api("query", query=expr)["result"]
        }

    def wait_for(self, what: str, check: Callable[[], bool], timeout: float = WAIT_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            if self.process.poll() is not None:
                pytest.fail(f"prometheus exited with {self.process.returncode}:\n{self.tail()}")
            time.sleep(0.5)
        pytest.fail(f"Prometheus never showed {what} within {timeout:.0f} s:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_prometheus(tmp_path: Path) -> Iterator[Callable[[list[str]], RunningPrometheus]]:
    """Start Debian's prometheus on loopback scraping `targets` every second; always stopped after."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("the prometheus binary is missing: apt-get install prometheus")
    started: list[RunningPrometheus] = []

    def start(targets: list[str]) -> RunningPrometheus:
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(RULES_FILE)],
            "scrape_configs": [{"job_name": JOB, "static_configs": [{"targets": targets}]}],
        }
        config_file = tmp_path / "prometheus.yml"
        config_file.write_text(yaml.safe_dump(config))
        url = f"http://127.0.0.1:{free_port()}"
        log = tmp_path / "prometheus.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [
                    binary,
                    f"--config.file={config_file}",
                    f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                    f"--web.listen-address={url.removeprefix('http://')}",
                ],
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        prometheus = RunningPrometheus(process, url, log)
        started.append(prometheus)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"prometheus exited with {process.returncode}:\n{prometheus.tail()}")
            try:
                urllib.request.urlopen(f"{url}/-/ready", timeout=1).close()
                return prometheus
            except OSError:
                time.sleep(0.3)
        pytest.fail(f"prometheus was not ready within {STARTUP_TIMEOUT:.0f} s:\n{prometheus.tail()}")

    yield start
    for prometheus in started:
        prometheus.stop()


def test_prometheus_counts_what_is_on_the_topics_and_evaluates_the_rules(
    pipeline_env: dict[str, str],
    start_worker: StartWorker,
    start_prometheus: Callable[[list[str]], RunningPrometheus],
) -> None:
    start_worker(pipeline_env)
    prometheus = start_prometheus([f"127.0.0.1:{pipeline_env['NEWSWATCH_METRICS_PORT']}"])
    selector = f'{{job="{JOB}"}}'
    prometheus.wait_for("the worker up", lambda: prometheus.query(f"sum(up{selector})") == {(): 1.0})

    bootstrap = pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    result = run_newswatch(pipeline_env, "replay", str(REPO_ROOT / "seeds"))
    assert result.returncode == 0, result.stderr
    delivered = re.search(r"(\d+) delivered", result.stdout)
    assert delivered, result.stdout
    produce_raw(bootstrap, pipeline_env["NEWSWATCH_ARTICLES_TOPIC"], [(b"broken", b"{not json")])
    replayed = len(kcat_read(bootstrap, pipeline_env["NEWSWATCH_ARTICLES_TOPIC"]))
    assert replayed == int(delivered[1]) + 1 >= 2

    consumed = f"sum(newswatch_articles_consumed_total{selector})"
    prometheus.wait_for(
        f"{replayed} articles consumed", lambda: prometheus.query(consumed) == {(): float(replayed)}
    )
    # Counted before the article itself, so this scrape already has all its alerts.
    by_watchlist = {
        dict(labels)["watchlist"]: value
        for labels, value in prometheus.query(
            f"sum by (watchlist) (newswatch_alerts_emitted_total{selector})"
        ).items()
    }
    alerts = wait_for_records(
        bootstrap, pipeline_env["NEWSWATCH_ALERTS_TOPIC"], int(sum(by_watchlist.values()))
    )
    on_topic = Counter(alert["watchlist"] for _, alert in alerts)
    assert sum(on_topic.values()) >= 3
    assert by_watchlist == {name: float(on_topic[name]) for name in by_watchlist}
    assert set(on_topic) <= set(by_watchlist)

    _assert_rules_loaded_and_healthy(prometheus)
    prometheus.wait_for("NewswatchDeadLetters firing for not_json", lambda: _firing(prometheus, "not_json"))
    _assert_dashboard_and_rule_metrics_are_scraped(prometheus)


def _assert_rules_loaded_and_healthy(prometheus: RunningPrometheus) -> None:
    expected = {group["name"] for group in yaml.safe_load(RULES_FILE.read_text())["groups"]}

    def evaluated() -> bool:
        groups = prometheus.api("rules")["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        return {group["name"] for group in groups} == expected and all(r["health"] == "ok" for r in rules)

    prometheus.wait_for(f"the rule groups {sorted(expected)} evaluated without errors", evaluated)


def _firing(prometheus: RunningPrometheus, reason: str) -> bool:
    return any(
        alert["labels"]["alertname"] == "NewswatchDeadLetters"
        and alert["labels"].get("reason") == reason
        and alert["state"] == "firing"
        for alert in prometheus.api("alerts")["alerts"]
    )


def _assert_dashboard_and_rule_metrics_are_scraped(prometheus: RunningPrometheus) -> None:
    scraped = set(prometheus.api("label/__name__/values", **{"match[]": f'{{job="{JOB}"}}'}))
    used = {
        name for _, expr in dashboard_expressions() + rule_expressions() for name in metric_names_in(expr)
    }
    assert used, "no metric names found in the dashboard and rules"
    # The notifier's metrics come from its own process and job (checked against its
    # registry in tests/deploy); this test scrapes a worker.
    missing = sorted(used - scraped - notifier_metric_names())
    assert not missing, f"used by the dashboard or rules but not in the worker's /metrics: {missing}"
