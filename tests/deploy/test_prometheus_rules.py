"""The alert rules are valid, documented for the person paged, and unit-tested with promtool.

`promtool` comes with Debian's `prometheus` package; `check rules` parses every rule,
`test rules` runs deploy/prometheus/rules_test.yml (made-up series, expected alerts).
Which metric names the rules may use is checked in test_grafana_dashboard.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.helpers.monitoring import (
    PROMETHEUS_CONFIG,
    RULES_FILE,
    RULES_TEST_FILE,
    alerting_rules,
    run_promtool,
)

SEVERITIES = {"warning", "critical"}
# Imperative verbs a description uses to tell the operator what to do.
ACTION_WORDS = re.compile(r"\b(check|look|read|restart|add|fix|run|compare|report)\b", re.IGNORECASE)


def test_promtool_accepts_the_rules() -> None:
    result = run_promtool("check", "rules", RULES_FILE.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_config_and_finds_its_rule_files() -> None:
    result = run_promtool("check", "config", PROMETHEUS_CONFIG.name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 1 rule files found" in result.stdout, result.stdout


def test_rule_unit_tests_pass() -> None:
    result = run_promtool("test", "rules", RULES_TEST_FILE.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_tells_the_operator_what_happened_and_what_to_do() -> None:
    rules = alerting_rules()
    assert len(rules) >= 6
    for rule in rules:
        name = rule["alert"]
        annotations = rule.get("annotations") or {}
        assert annotations.get("summary"), f"{name}: no summary"
        description = annotations.get("description") or ""
        assert len(description) > 80 and ACTION_WORDS.search(description), (
            f"{name}: the description must say what to do: {description!r}"
        )
        assert rule.get("labels", {}).get("severity") in SEVERITIES, f"{name}: severity one of {SEVERITIES}"


def test_every_alert_has_a_firing_and_a_silent_unit_test() -> None:
    firing: set[str] = set()
    silent: set[str] = set()
    for case in yaml.safe_load(RULES_TEST_FILE.read_text())["tests"]:
        for check in case.get("alert_rule_test") or []:
            (firing if check.get("exp_alerts") else silent).add(check["alertname"])
    names = {rule["alert"] for rule in alerting_rules()}
    assert names - firing == set(), f"never tested firing: {sorted(names - firing)}"
    assert names - silent == set(), f"never tested silent: {sorted(names - silent)}"
    assert (firing | silent) - names == set(), "rules_test.yml tests alerts that do not exist"


@pytest.mark.parametrize("alert", sorted(rule["alert"] for rule in alerting_rules()))
def test_unit_tests_notice_when_an_alert_is_removed(alert: str, tmp_path: Path) -> None:
    """The unit tests really exercise each rule: without it, `promtool test rules` fails."""
    document = yaml.safe_load(RULES_FILE.read_text())
    for group in document["groups"]:
        group["rules"] = [rule for rule in group["rules"] if rule.get("alert") != alert]
    (tmp_path / RULES_FILE.name).write_text(yaml.safe_dump(document))
    shutil.copy(RULES_TEST_FILE, tmp_path / RULES_TEST_FILE.name)
    result = run_promtool("test", "rules", RULES_TEST_FILE.name, cwd=tmp_path)
    assert result.returncode != 0, f"rules_test.yml still passes without {alert}"
    assert f"alertname: {alert}" in result.stdout + result.stderr


def test_rules_select_the_job_that_scrapes_the_workers() -> None:
    jobs = {job["job_name"] for job in yaml.safe_load(PROMETHEUS_CONFIG.read_text())["scrape_configs"]}
    for rule in alerting_rules():
        selected = set(re.findall(r'job="([^"]+)"', rule["expr"]))
        assert selected, f"{rule['alert']}: select job=... so other jobs' series cannot trigger it"
        assert selected <= jobs, f"{rule['alert']} selects {selected}; prometheus.yml scrapes {jobs}"
