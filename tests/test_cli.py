"""`newswatch`'s dispatch table: every command the parser accepts has a documented module."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

from newswatch.cli import COMMANDS, build_parser, command_name
from tests.helpers.paths import REPO_ROOT, SEED_ARTICLE


def parsed_command_names() -> set[str]:
    names = set()
    for command, parser in _choices(build_parser()).items():
        actions = _choices(parser)
        names |= {f"{command} {action}" for action in actions} if actions else {command}
    return names


def _choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_notify_alone_runs_the_service_and_check_validates() -> None:
    parser = build_parser()
    assert command_name(parser.parse_args(["notify"])) == "notify run"
    assert command_name(parser.parse_args(["notify", "run"])) == "notify run"
    assert command_name(parser.parse_args(["notify", "check", "subs.yaml"])) == "notify check"


def test_every_command_has_a_module_with_a_documented_run() -> None:
    assert set(COMMANDS) == parsed_command_names()
    for name, module_name in COMMANDS.items():
        run = importlib.import_module(f"newswatch.commands.{module_name}").run
        assert callable(run) and run.__doc__, name


def test_tag_does_not_import_faust() -> None:
    code = (
        "import sys; from newswatch.cli import main; main(['tag', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'faust'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(SEED_ARTICLE)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "[]"
