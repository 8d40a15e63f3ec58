"""The Grafana dashboard is valid, has the panels operators need, and queries real metrics.

Every PromQL expression of the dashboard and of the alert rules may only use metric
names the worker exports: the worker's metrics are built on a fresh registry exactly
as app.py builds them (ours plus Faust's sensor), and expanded to the sample names
Prometheus stores (`_total`, `_bucket`, ...). A misspelt or renamed metric fails here
instead of showing an empty panel or an alert that can never fire.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.monitoring import (
    DATASOURCES_FILE,
    GRAFANA_DURATIONS,
    dashboard_expressions,
    dashboard_panels,
    exported_metric_names,
    load_dashboard,
    metric_names_in,
    rule_expressions,
    run_promtool,
)

GRID_WIDTH = 24


def _panel(title: str) -> dict[str, Any]:
    matches = [panel for panel in dashboard_panels() if panel["title"] == title]
    assert len(matches) == 1, f"the dashboard needs exactly one panel titled {title!r}"
    return matches[0]


def _uses(panel: dict[str, Any], metric: str) -> bool:
    return any(metric in metric_names_in(target["expr"]) for target in panel["targets"])


def test_the_extractor_finds_metrics_and_skips_everything_else() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{job="x", le=~"1|2"}[$__rate_interval])))'
        " > on (topic) group_left (partition) b_records offset 30m"
        " and ignoring (reason) sum without (instance) (c_total @ start()) or absent(d{e='f'}) * 1e3"
    )
    assert metric_names_in(expr) == {"a_seconds_bucket", "b_records", "c_total", "d"}


def test_a_misspelt_metric_is_not_exported() -> None:
    names = metric_names_in("sum(rate(newswatch_articels_consumed_total[5m]))")
    assert names == {"newswatch_articels_consumed_total"}
    assert not names <= exported_metric_names()


def test_exported_names_cover_every_kind_of_metric() -> None:
    names = exported_metric_names()
    expected = {
        "newswatch_articles_consumed_total",
        "newswatch_alerts_emitted_total",
        "newswatch_dead_letters_total",
        "newswatch_tagging_seconds_bucket",
        "newswatch_end_to_end_latency_seconds_count",
        "newswatch_consumer_lag_records",
        "newswatch_faust_messages_received_total",
        "up",
    }
    assert expected <= names


@pytest.mark.parametrize(
    ("source", "expressions"),
    [("dashboard", dashboard_expressions()), ("rules.yml", rule_expressions())],
)
def test_every_query_uses_only_exported_metrics(source: str, expressions: list[tuple[str, str]]) -> None:
    exported = exported_metric_names()
    assert expressions
    unknown = {(where, name) for where, expr in expressions for name in metric_names_in(expr) - exported}
    assert not unknown, f"{source} queries metrics the worker does not export: {sorted(unknown)}"
    for where, expr in expressions:
        assert metric_names_in(expr), f"{source}: {where}: no metric found in {expr!r}"


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool parses each query (as a recording rule), after substituting Grafana's variables."""
    rules = [
        {"record": f"dashboard:query_{index}", "expr": GRAFANA_DURATIONS.sub("1m", expr)}
        for index, (_, expr) in enumerate(dashboard_expressions())
    ]
    (tmp_path / "dashboard_rules.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]})
    )
    result = run_promtool("check", "rules", "dashboard_rules.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_is_a_provisionable_grafana_dashboard() -> None:
    dashboard = load_dashboard()
    assert dashboard["uid"] and dashboard["title"]
    assert isinstance(dashboard["schemaVersion"], int)
    assert "id" not in dashboard or dashboard["id"] is None, "a provisioned dashboard must not fix its id"
    panels = dashboard_panels()
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= GRID_WIDTH, f"{panel['title']}: off the grid"
        ref_ids = [target["refId"] for target in panel.get("targets", [])]
        assert len(ref_ids) == len(set(ref_ids)), f"{panel['title']}: duplicate refId"


def test_every_panel_queries_the_provisioned_datasource() -> None:
    provisioned = yaml.safe_load(DATASOURCES_FILE.read_text())["datasources"]
    uids = {source["uid"] for source in provisioned if source["type"] == "prometheus"}
    for panel in dashboard_panels():
        if panel.get("type") == "row":
            continue
        sources = [panel["datasource"], *(target["datasource"] for target in panel["targets"])]
        for source in sources:
            assert source == {"type": "prometheus", "uid": source["uid"]} and source["uid"] in uids, (
                f"{panel['title']}: datasource {source} is not the provisioned Prometheus {uids}"
            )


def test_dashboard_has_the_panels_operators_need() -> None:
    required = {
        "Articles in per second": "newswatch_articles_consumed_total",
        "Alerts per watch-list": "newswatch_alerts_emitted_total",
        "Dead letters by reason": "newswatch_dead_letters_total",
        "End-to-end latency p50 / p99": "newswatch_end_to_end_latency_seconds_bucket",
        "End-to-end latency (heatmap)": "newswatch_end_to_end_latency_seconds_bucket",
        "Tagging time p50 / p99": "newswatch_tagging_seconds_bucket",
        "Consumer lag per partition": "newswatch_consumer_lag_records",
        "Workers up": "up",
    }
    for title, metric in required.items():
        assert _uses(_panel(title), metric), f"panel {title!r} does not query {metric}"

    for title in ("End-to-end latency p50 / p99", "Tagging time p50 / p99"):
        exprs = " ".join(target["expr"] for target in _panel(title)["targets"])
        assert "histogram_quantile(0.5," in exprs and "histogram_quantile(0.99," in exprs, title
    heatmap = _panel("End-to-end latency (heatmap)")
    assert heatmap["type"] == "heatmap"
    assert all(target.get("format") == "heatmap" for target in heatmap["targets"])
    by_label = {
        "Alerts per watch-list": "watchlist",
        "Dead letters by reason": "reason",
        "Consumer lag per partition": "partition",
    }
    for title, label in by_label.items():
        for target in _panel(title)["targets"]:
            assert re.search(rf"by \([^)]*\b{label}\b", target["expr"]), f"{title}: not split by {label}"
            assert f"{{{{{label}}}}}" in target["legendFormat"], f"{title}: legend does not name the {label}"
