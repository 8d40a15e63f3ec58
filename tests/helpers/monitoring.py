"""Where the Prometheus rules and the Grafana dashboard live, and how tests read them.

Shared by the rule and dashboard tests and by the real scrape test, which checks that
every metric the rules and panels select is one a worker exports.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from faust.sensors.prometheus import FaustMetrics
from prometheus_client import CollectorRegistry

from newswatch.metrics import NotifyMetrics, TaggerMetrics
from tests.helpers.paths import REPO_ROOT

PROMETHEUS_DIR = REPO_ROOT / "deploy" / "prometheus"
RULES_FILE = PROMETHEUS_DIR / "rules.yml"
RULES_TEST_FILE = PROMETHEUS_DIR / "rules_test.yml"
PROMETHEUS_CONFIG = PROMETHEUS_DIR / "prometheus.yml"
GRAFANA_DIR = REPO_ROOT / "deploy" / "grafana"
DASHBOARD_FILE = GRAFANA_DIR / "dashboards" / "newswatch.json"
DATASOURCES_FILE = GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml"
FAUST_PREFIX = "newswatch_faust"  # app.py: setup_prometheus_sensors(..., name_prefix=...)
# Series Prometheus itself adds to every scrape target.
PROMETHEUS_SERIES = {"up"}

# The sample names Prometheus stores for each metric family type.
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
    "stateset": ("",),
    "unknown": ("",),
}
# Grafana's variables, replaced by a valid duration so promtool can parse the expression.
GRAFANA_DURATIONS = re.compile(r"\$__(rate_interval|interval|range)")

# PromQL tokens that are not metric names.
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", re.IGNORECASE)
_IDENTIFIER = re.compile(r"(?<![\w:.$])([A-Za-z_:][\w:]*)(\s*\()?")
_KEYWORDS = {
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
    "bool",
    "inf",
    "nan",
}


def exported_metric_names() -> set[str]:
    """Every sample name the worker or the notifier exports (and Prometheus adds)."""
    registry = CollectorRegistry()
    TaggerMetrics(registry, ["sanctions"])
    FaustMetrics.create(registry, FAUST_PREFIX)
    return set(PROMETHEUS_SERIES) | _sample_names(registry) | notifier_metric_names()


def notifier_metric_names() -> set[str]:
    """The sample names only `newswatch notify run` exports, on its own port and job."""
    registry = CollectorRegistry()
    NotifyMetrics(registry, [("desk", ["webhook"])])
    return _sample_names(registry)


def _sample_names(registry: CollectorRegistry) -> set[str]:
    names: set[str] = set()
    for family in registry.collect():
        names |= {family.name + suffix for suffix in _SUFFIXES[family.type]}
    return names


def metric_names_in(expr: str) -> set[str]:
    """Metric names an expression selects: identifiers that are not functions, keywords or labels."""
    text = _STRINGS.sub('""', expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    return {
        match[1] for match in _IDENTIFIER.finditer(text) if not match[2] and match[1].lower() not in _KEYWORDS
    }


def load_dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD_FILE.read_text()))


def dashboard_panels() -> list[dict[str, Any]]:
    panels = []
    for panel in load_dashboard()["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))  # panels of collapsed rows
    return panels


def dashboard_expressions() -> list[tuple[str, str]]:
    """(panel title, PromQL) of every query of the dashboard."""
    return [
        (panel["title"], target["expr"])
        for panel in dashboard_panels()
        for target in panel.get("targets", [])
    ]


def rule_expressions() -> list[tuple[str, str]]:
    return [(rule["alert"], rule["expr"]) for rule in alerting_rules()]


def promtool_path() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool is missing: apt-get install prometheus (Debian's package ships promtool)")
    return path


def run_promtool(*args: str, cwd: Path = PROMETHEUS_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool_path(), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def alerting_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES_FILE.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]
