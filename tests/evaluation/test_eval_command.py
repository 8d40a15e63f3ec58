"""`newswatch eval`: the report, the JSON figures and the F1 floor, end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.paths import REPO_ROOT

ARTICLES = [
    {
        "id": "tp-1",
        "language": "en",
        "title": "EU imposes new sanctions on Iran",
        "body": "The European Union imposed new economic sanctions on Iran's central bank on Monday.",
        "labels": ["sanctions"],
    },
    {
        "id": "fn-1",
        "language": "en",
        "title": "Harbour police seize a freighter",
        "body": "Police said the freighter was carrying undeclared cargo bound for another country.",
        "labels": ["arms_transfers"],
        "note": "positive: wrongly labelled on purpose, to make a false negative",
    },
    {
        "id": "fp-1",
        "language": "en",
        "title": "North Korea fires a missile",
        "body": "North Korea fired a ballistic missile into the sea, South Korea's military said.",
        "labels": [],
        "note": "wrongly labelled on purpose, to make a false positive",
    },
    {
        "id": "ign-1",
        "language": "de",
        "title": "Nordkorea testet Rakete",
        "body": "Nordkorea hat erneut eine ballistische Rakete getestet.",
        "labels": [],
        "ignore": ["korean_peninsula"],
    },
]


def run_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newswatch", "eval", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def labelled_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in ARTICLES), encoding="utf-8")
    return path


def test_report_lists_figures_and_every_mistake_with_evidence(tmp_path: Path) -> None:
    result = run_eval(str(labelled_file(tmp_path)))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "4 labelled article(s) from 1 file(s), 3 watch-list(s)" in out
    # sanctions 1 TP; arms 1 FN; korea 1 FP (ign-1 is ignored for korea): micro 2*1/(2+2) = 0.5
    assert any(
        line.split()[:4] == ["micro", "1", "1", "1"] and line.endswith("0.500") for line in out.splitlines()
    )
    assert "False positives (1)" in out and "False negatives (1)" in out
    fp_part = out.split("False positives (1)")[1].split("False negatives")[0]
    assert "FP korean_peninsula  fp-1 [en] North Korea fires a missile" in fp_part
    assert "North Korea with a subject in the same sentence" in fp_part and '"North Korea"' in fp_part
    fn_part = out.split("False negatives (1)")[1]
    assert "FN arms_transfers  fn-1 [en]" in fn_part
    assert "best score 0 / threshold 1" in fn_part and "no rule fired" in fn_part
    assert "ign-1" not in out


def test_json_figures_and_min_f1_floor(tmp_path: Path) -> None:
    figures_path = tmp_path / "figures.json"
    result = run_eval(str(labelled_file(tmp_path)), "--json", str(figures_path), "--min-f1", "0.9")
    assert result.returncode == 1
    assert "micro F1 0.500 is below the floor 0.9" in result.stderr
    figures = json.loads(figures_path.read_text(encoding="utf-8"))
    assert figures["articles"] == 4
    assert figures["micro"]["f1"] == 0.5
    assert figures["watchlists"]["sanctions"] == {
        "tp": 1,
        "fp": 0,
        "fn": 0,
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }
    assert figures["languages"]["de"]["articles"] == 1
    assert {(item["kind"], item["id"]) for item in figures["mistakes"]} == {("FP", "fp-1"), ("FN", "fn-1")}
    assert run_eval(str(labelled_file(tmp_path)), "--min-f1", "0.5").returncode == 0


def test_unknown_label_fails_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "typo.jsonl"
    path.write_text(json.dumps({**ARTICLES[0], "labels": ["sanction"]}) + "\n", encoding="utf-8")
    result = run_eval(str(path))
    assert result.returncode == 1
    assert f"{path}:1: 'labels' names unknown watch-list(s) sanction" in result.stderr
