"""`newswatch notify check [FILE]`: problems as `file:line: message` and exit 1, or ok; and
`newswatch notify --print` and `newswatch run`, which refuse a file the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.cli import main

MISSPELT = "subscriptions:\n  - {name: a, watchlists: sanction, to: [mailto:a@example.org]}\n"


def subscriptions(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch | None = None) -> Path:
    """The file, and with `monkeypatch` also NEWSWATCH_SUBSCRIPTIONS naming it."""
    path = tmp_path / "subscriptions.yaml"
    path.write_text(text)
    if monkeypatch is not None:
        monkeypatch.setenv("NEWSWATCH_SUBSCRIPTIONS", str(path))
    return path


def test_ok_and_the_setting_as_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    subscriptions(tmp_path, MISSPELT.replace("sanction,", "sanctions,"), monkeypatch)
    assert main(["notify", "check"]) == 0
    assert capsys.readouterr().out == "ok: 1 subscription(s)\n"


def test_problems_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = subscriptions(tmp_path, MISSPELT)
    assert main(["notify", "check", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{path}:2: there is no watch-list 'sanction'; did you mean 'sanctions'?")
    assert err[-1] == f"1 problem(s) in {path}"


def test_no_file_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NEWSWATCH_SUBSCRIPTIONS", raising=False)
    assert main(["notify", "check"]) == 1
    assert "set NEWSWATCH_SUBSCRIPTIONS" in capsys.readouterr().err


def test_print_checks_the_file_as_the_notifier_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = subscriptions(tmp_path, MISSPELT, monkeypatch)
    assert main(["notify", "--print", "--once"]) == 1  # before any broker is asked
    assert f"{path}:2: there is no watch-list 'sanction'" in capsys.readouterr().err


def test_print_and_once_go_together_and_without_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notify", "--print", "check"]) == 1
    assert "--print and --once go with `newswatch notify` alone" in capsys.readouterr().err
    assert main(["notify", "--once"]) == 1
    assert "--once goes with --print" in capsys.readouterr().err


def test_newswatch_run_refuses_an_invalid_file_before_starting_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = subscriptions(tmp_path, MISSPELT, monkeypatch)
    monkeypatch.setenv("NEWSWATCH_STATE_DIR", str(tmp_path / "state"))
    assert main(["run", "--once"]) == 1
    captured = capsys.readouterr()
    assert f"{path}:2: there is no watch-list 'sanction'" in captured.err
    assert "kafka:" not in captured.out, "no broker was started"
