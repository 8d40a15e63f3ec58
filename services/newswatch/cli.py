"""`newswatch`: the one command-line entry point. Settings are built here, once.

This module only parses the command line and dispatches; each command lives in its own
module of `newswatch.commands`.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from newswatch.errors import NewswatchError
from newswatch.settings import Settings, setting_variables, unknown_variables

DEFAULT_SEEDS = Path("seeds")

Command = Callable[[Settings, argparse.Namespace], int]

# Command name -> its module in newswatch.commands, whose `run(settings, args)` carries it
# out. A module is imported only when its command is chosen: `newswatch tag` pays for no Faust.
COMMANDS: dict[str, str] = {
    "run": "run",
    "kafka": "kafka",
    "topics": "topics",
    "worker": "worker",
    "replay": "replay",
    "tag": "tag",
    "schemas": "schemas",
    "watchlists check": "watchlists_check",
    "watchlists explain": "watchlists_explain",
    "watchlists publish": "watchlists_publish",
    "watchlists remove": "watchlists_remove",
    "watchlists list": "watchlists_list",
    "eval": "eval",
    "notify check": "notify_check",
    "notify run": "notify_run",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newswatch",
        description="Tag a stream of news articles against watch-lists. "
        "Configure with NEWSWATCH_* environment variables (see README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="local broker + worker + replay of seeds/, alerts printed")
    run.add_argument("paths", nargs="*", type=Path, default=[DEFAULT_SEEDS], help="article files or folders")
    run.add_argument("--once", action="store_true", help="stop once every replayed article is processed")
    run.add_argument("--keep-broker", action="store_true", help="leave the local broker running on exit")

    kafka = commands.add_parser("kafka", help="the local single-node Kafka broker")
    kafka.add_argument("action", choices=["up", "down", "status"])

    commands.add_parser(
        "topics", help="create the articles, alerts, dead-letter, ... and watch-lists topics if missing"
    )
    commands.add_parser("worker", help="run the tagger (a Faust worker) until stopped")

    replay = commands.add_parser("replay", help="publish article files to the articles topic")
    replay.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[DEFAULT_SEEDS],
        help=".txt, .json or .jsonl files, or folders of them (default: seeds/)",
    )
    replay.add_argument("--rate", type=float, default=None, help="articles per second (default: unthrottled)")
    replay.add_argument("--loop", action="store_true", help="start over at the end (same article ids)")
    replay.add_argument("--limit", type=int, default=None, help="stop after this many articles")

    tag = commands.add_parser("tag", help="tag articles offline; print the alerts as JSON lines")
    tag.add_argument("paths", nargs="*", type=Path, help="article files (default: JSON lines on stdin)")

    watchlists = commands.add_parser(
        "watchlists", help="check, explain, publish, remove and list watch-lists"
    )
    watchlist_actions = watchlists.add_subparsers(dest="watchlists_action", required=True, metavar="ACTION")
    check = watchlist_actions.add_parser(
        "check", help="validate watch-list files (default: the packaged ones)"
    )
    check.add_argument("paths", nargs="*", type=Path, help="watch-list YAML files, or folders of them")
    explain = watchlist_actions.add_parser("explain", help="show which rules fired for an article, and why")
    explain.add_argument("path", type=Path, help="an article file (.txt, .json or .jsonl), as for `tag`")
    publish = watchlist_actions.add_parser(
        "publish",
        help="validate watch-lists and publish them to every worker (NEWSWATCH_WATCHLISTS_TOPIC); "
        "one invalid file and nothing is published",
    )
    publish.add_argument(
        "paths", nargs="+", type=Path, metavar="FILE|DIR", help="watch-list YAML files or folders"
    )
    publish.add_argument("--by", default=None, help="who publishes, as shown by `list` (default: user@host)")
    remove = watchlist_actions.add_parser(
        "remove", help="withdraw published watch-lists; a file's list of the same name comes back"
    )
    remove.add_argument("names", nargs="+", metavar="NAME", help="watch-list names")
    watchlist_actions.add_parser(
        "list", help="the watch-lists in force (files overlaid by the topic): version, hash, origin"
    )

    notify = commands.add_parser("notify", help="deliver alerts, stories and spikes to subscriptions")
    # `newswatch notify` alone runs the service (the name for it); `check` validates.
    notify.add_argument(
        "--print",
        action="store_true",
        help="print what would be sent (one JSON line per notification) instead of sending",
    )
    notify.add_argument(
        "--once", action="store_true", help="with --print: stop at the end of the topics instead of following"
    )
    notify_actions = notify.add_subparsers(dest="notify_action", required=False, metavar="ACTION")
    notify_check = notify_actions.add_parser(
        "check", help="validate a subscriptions file (default: NEWSWATCH_SUBSCRIPTIONS)"
    )
    notify_check.add_argument("path", nargs="?", type=Path, default=None, help="a subscriptions YAML file")
    notify_actions.add_parser(
        "run", help="deliver until stopped (subscriptions: NEWSWATCH_SUBSCRIPTIONS; see docs/notify.md)"
    )

    quality = commands.add_parser(
        "eval", help="precision, recall and F1 of the watch-lists on labelled articles (JSON lines)"
    )
    quality.add_argument("paths", nargs="+", type=Path, help="labelled .jsonl files (Article + labels)")
    quality.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="also write the figures as JSON"
    )
    quality.add_argument(
        "--min-f1", type=float, default=None, metavar="X", help="exit 1 when the micro-averaged F1 is below X"
    )

    schemas = commands.add_parser("schemas", help="write the JSON Schemas of the contracts")
    schemas.add_argument("--out", type=Path, default=Path("schemas"))
    schemas.add_argument("--check", action="store_true", help="fail when the files differ from the models")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"newswatch: invalid settings:\n{describe_settings_error(exc)}", file=sys.stderr)
        return 2
    for name in unknown_variables(os.environ):
        print(f"newswatch: warning: {describe_unknown_variable(name)}", file=sys.stderr)
    try:
        return _dispatch(args, settings)
    except NewswatchError as exc:
        print(f"newswatch: {exc}", file=sys.stderr)
        return 1


def describe_settings_error(error: ValidationError) -> str:
    """One line per problem, naming the variable; never the values (they may be secrets)."""
    lines = []
    for item in error.errors(include_input=False, include_url=False):
        field = "_".join(str(part) for part in item["loc"]).upper()
        where = f"NEWSWATCH_{field}: " if field else ""
        lines.append(f"  {where}{item['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)


def describe_unknown_variable(name: str) -> str:
    """What to do about a `NEWSWATCH_*` variable that no setting reads (never shows its value)."""
    close = difflib.get_close_matches(name.upper(), sorted(setting_variables()), n=1)
    hint = f"did you mean {close[0]}?" if close else "see the settings table in the README"
    return f"{name} is not a setting and is ignored; {hint}"


def command_name(args: argparse.Namespace) -> str:
    """The key of COMMANDS for parsed arguments: `tag`, or `watchlists check` for an action."""
    if args.command == "watchlists":
        return f"watchlists {args.watchlists_action}"
    if args.command == "notify":
        return f"notify {args.notify_action or 'run'}"
    return str(args.command)


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    module = importlib.import_module(f"newswatch.commands.{COMMANDS[command_name(args)]}")
    command: Command = module.run
    return command(settings, args)


if __name__ == "__main__":
    sys.exit(main())
