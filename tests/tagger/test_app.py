"""The worker's Faust app is configured by NEWSWATCH_* settings only and serves our pages only.

tests/integration/test_worker_environment.py checks the same on a running worker.
"""

from __future__ import annotations

from pathlib import Path

import faust
import pytest
from faust.types.enums import ProcessingGuarantee
from prometheus_client import CollectorRegistry

from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.tagger.app import configured_app

# Variables Faust reads on its own (unprefixed), each set to a value that would show.
FAUST_VARIABLES = {
    "WEB_PORT": "7777",
    "WEB_BIND": "203.0.113.9",
    "BROKER_URL": "kafka://127.0.0.1:1",
    "APP_DEBUG": "1",
    "PROCESSING_GUARANTEE": "exactly_once",
    "APP_WEB_STATS_ENABLED": "1",
    "APP_WEB_ROUTER_ENABLED": "1",
    "APP_WEB_TABLES_ENABLED": "1",
    "APP_WEB_GRAPH_ENABLED": "1",
    "APP_WEB_METRICS_ENABLED": "1",
}


def test_faust_ignores_its_own_environment_variables_and_serves_only_our_pages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in FAUST_VARIABLES.items():
        monkeypatch.setenv(name, value)
    settings = Settings(state_dir=tmp_path, kafka_bootstrap="127.0.0.1:9092", metrics_port=6100)
    app = configured_app(settings, KafkaConnection.from_settings(settings), CollectorRegistry())

    assert app.conf.web_port == 6100
    assert app.conf.web_bind == settings.metrics_host
    assert [str(url) for url in app.conf.broker] == ["kafka://127.0.0.1:9092"]
    assert str(app.conf.processing_guarantee) == str(ProcessingGuarantee.AT_LEAST_ONCE)
    assert not app.conf.debug

    @app.page("/healthz")  # as build_app adds it
    async def healthz(self: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return self.json({})

    app.web.init_server()
    served = sorted(resource.canonical for resource in app.web.web_app.router.resources())  # type: ignore[attr-defined]
    assert served == ["/healthz", "/metrics"]
