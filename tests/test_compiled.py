"""The engine's modules that setup.py compiles with mypyc: in use, current, and saying
exactly what their Python sources say.

NEWSWATCH_PURE_PYTHON=1 (a build without them) skips the two tests that need them.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import REPO_ROOT
from tests.helpers.tag_everything import compiled_sources, module_name

PURE = os.environ.get("NEWSWATCH_PURE_PYTHON") == "1"


def _compiled_file(source: Path) -> Path | None:
    """The compiled file setup.py built beside `source`, if any."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = source.with_suffix(suffix)
        if path.exists():
            return path
    return None


def test_setup_names_modules_that_exist() -> None:
    sources = compiled_sources()
    assert len(sources) >= 8
    for source in sources:
        assert source.is_file(), source


@pytest.mark.skipif(PURE, reason="NEWSWATCH_PURE_PYTHON=1: built without compiled modules")
def test_the_engine_runs_its_compiled_modules() -> None:
    names = [module_name(source) for source in compiled_sources()]
    interpreted = [name for name in names if (importlib.import_module(name).__file__ or "").endswith(".py")]
    # `make venv` alone would not rebuild a venv built with NEWSWATCH_PURE_PYTHON=1.
    assert not interpreted, f"loaded from source, not compiled (run `make clean venv`): {interpreted}"


@pytest.mark.skipif(PURE, reason="NEWSWATCH_PURE_PYTHON=1: built without compiled modules")
def test_no_module_changed_after_it_was_compiled() -> None:
    # A compiled module is imported before its source: an edit not compiled yet would
    # not run at all. `make test` and `make venv` compile again after an edit.
    stale = []
    for source in compiled_sources():
        compiled = _compiled_file(source)
        if compiled is None or compiled.stat().st_mtime < source.stat().st_mtime:
            stale.append(source.relative_to(REPO_ROOT))
    assert not stale, f"changed since compiled; run `make venv` to compile them again: {stale}"


def _tag_everything(*flags: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.helpers.tag_everything", *flags],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    return result.stdout.splitlines()


def test_compiled_and_source_engines_give_the_same_alerts() -> None:
    as_built, from_source = _tag_everything(), _tag_everything("--pure")
    # The first line names the files the modules came from: compiled in one run (unless
    # built without them), their sources in the other.
    assert all(file.endswith(".py") for file in json.loads(from_source[0]))
    assert PURE or not any(file.endswith(".py") for file in json.loads(as_built[0]))
    alerts, source_alerts = as_built[1:], from_source[1:]
    assert len(alerts) > 500, "the labelled data should give hundreds of alerts"
    assert {'"watchlist":"q_near"', '"watchlist":"sanctions"'} <= {
        part for line in alerts for part in line.split(",") if part.startswith('"watchlist"')
    }, "both a rules list and a NEAR query should alert"
    assert alerts == source_alerts
