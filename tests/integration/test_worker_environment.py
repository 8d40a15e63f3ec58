"""A worker whose environment holds Faust's own variables is still configured by NEWSWATCH_* only.

Faust reads unprefixed variables (WEB_PORT, BROKER_URL, APP_DEBUG, PROCESSING_GUARANTEE)
over its arguments; a Kubernetes service link or a stray shell variable would then move
the metrics port, point the worker at another broker or switch on Faust's debug pages.
The worker here gets such variables, each pointing somewhere wrong, and must still serve
/healthz and /metrics where its settings say, tag an article (its alerts read back with
kcat), and answer 404 on every page of Faust's own.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest

from tests.helpers.environment import free_port, run_newswatch
from tests.helpers.kafka import wait_for_records
from tests.helpers.paths import SEED_ARTICLE
from tests.helpers.workers import StartWorker

pytestmark = pytest.mark.integration

FAUST_PAGES = ("/", "/router/", "/router/topics/", "/table/", "/stats/", "/graph/", "/performance/")


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_faust_variables_in_the_environment_change_nothing(
    pipeline_env: dict[str, str], start_worker: StartWorker
) -> None:
    faust_port = free_port()
    env = {
        **pipeline_env,
        "WEB_PORT": str(faust_port),
        "BROKER_URL": "kafka://127.0.0.1:1",
        "APP_DEBUG": "1",
        "PROCESSING_GUARANTEE": "exactly_once",
        "NEWSWATCH_METRIC_PORT": "value-never-shown",  # misspelt: warned about, by name
    }
    worker = start_worker(env)  # waits for /healthz on NEWSWATCH_METRICS_PORT

    result = run_newswatch(env, "replay", str(SEED_ARTICLE))
    assert result.returncode == 0, result.stderr
    alerts = wait_for_records(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_ALERTS_TOPIC"], 3)
    assert len({key for key, _ in alerts}) == 1, "three alerts of the one seed article"

    base = f"http://127.0.0.1:{env['NEWSWATCH_METRICS_PORT']}"
    assert status_of(base + "/healthz") == 200
    assert "newswatch_articles_consumed_total" in worker.scrape()
    served = {path: status_of(base + path) for path in FAUST_PAGES}
    assert served == dict.fromkeys(FAUST_PAGES, 404), f"Faust's own pages must not be served: {served}"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", faust_port)) != 0, "something listens on WEB_PORT"

    log = worker.log.read_text(errors="replace")
    assert "NEWSWATCH_METRIC_PORT is not a setting" in log
    assert "value-never-shown" not in log
