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
from tests.helpers.tag_everything import compiled_modules

PURE = os.environ.get("NEWSWATCH_PURE_PYTHON") == "1"


def _source(module: str) -> Path:
    return REPO_ROOT / "services" / (module.replace(".", "/") + ".py")


def _compiled_file(module: str) -> Path | None:
    """The compiled file setup.py built beside the module's source, if any."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = _source(module).with_suffix(suffix)
        if path.exists():
            return path
    return None


def test_setup_names_modules_that_exist() -> None:
    modules = compiled_modules()
    assert len(modules) >= 8
    for module in modules:
        assert _source(module).is_file(), module


@pytest.mark.skipif(PURE, reason="NEWSWATCH_PURE_PYTHON=1: built without compiled modules")
def test_the_engine_runs_its_compiled_modules() -> None:
    loaded = {name: importlib.import_module(name).__file__ or "" for name in compiled_modules()}
    interpreted = [name for name, file in loaded.items() if file.endswith(".py")]
    assert not interpreted, f"loaded from source, not compiled (run `make venv`): {interpreted}"


@pytest.mark.skipif(PURE, reason="NEWSWATCH_PURE_PYTHON=1: built without compiled modules")
def test_no_module_changed_after_it_was_compiled() -> None:
    # A compiled module is imported before its source: an edit not compiled yet would
    # not run at all. `make test` and `make venv` compile again after an edit.
    stale = []
    for module in compiled_modules():
        source = _source(module)
        compiled = _compiled_file(module)
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
