"""`newswatch tag`: the worker's alerts, offline, as JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys

from newswatch.contracts import Alert, alert_id_for
from tests.helpers.paths import REPO_ROOT, SEED_ARTICLE


def run_tag(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newswatch", "tag", *args],
        input=stdin,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_seed_article_prints_three_alerts_with_evidence() -> None:
    result = run_tag(str(SEED_ARTICLE))
    assert result.returncode == 0, result.stderr
    alerts = [Alert.model_validate_json(line) for line in result.stdout.splitlines()]
    assert sorted(alert.watchlist for alert in alerts) == ["arms_transfers", "korean_peninsula", "sanctions"]
    for alert in alerts:
        assert alert.alert_id == alert_id_for(alert.article_id, alert.watchlist)
        assert alert.evidence


def test_reads_json_lines_from_stdin_and_reports_bad_lines() -> None:
    good = {
        "id": "s1",
        "title": "EU sanctions on Iran",
        "body": "The EU imposed new sanctions on Iran's central bank.",
    }
    result = run_tag(stdin=json.dumps(good) + "\n{oops\n")
    assert result.returncode == 1, "a skipped input is reported in the exit code"
    assert "record 2" in result.stderr and "not valid JSON" in result.stderr
    [alert] = [json.loads(line) for line in result.stdout.splitlines()]
    assert alert["article_id"] == "s1" and alert["watchlist"] == "sanctions"
