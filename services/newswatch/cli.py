"""`newswatch`: the one command-line entry point. Settings are built here, once."""

from __future__ import annotations

import argparse
import asyncio
import difflib
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from newswatch.errors import NewswatchError
from newswatch.settings import Settings, setting_variables, unknown_variables

DEFAULT_SEEDS = Path("seeds")


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

    commands.add_parser("topics", help="create the articles, alerts and dead-letter topics if missing")
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

    watchlists = commands.add_parser("watchlists", help="check watch-list files; explain an article's scores")
    watchlist_actions = watchlists.add_subparsers(dest="watchlists_action", required=True, metavar="ACTION")
    check = watchlist_actions.add_parser(
        "check", help="validate watch-list files (default: the packaged ones)"
    )
    check.add_argument("paths", nargs="*", type=Path, help="watch-list YAML files")
    explain = watchlist_actions.add_parser("explain", help="show which rules fired for an article, and why")
    explain.add_argument("path", type=Path, help="an article file (.txt, .json or .jsonl), as for `tag`")

    evaluate = commands.add_parser(
        "eval", help="precision, recall and F1 of the watch-lists on labelled articles (JSON lines)"
    )
    evaluate.add_argument("paths", nargs="+", type=Path, help="labelled .jsonl files (Article + labels)")
    evaluate.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="also write the figures as JSON"
    )
    evaluate.add_argument(
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


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    # Imports are per command so that `newswatch tag` does not pay for Faust.
    if args.command == "run":
        from newswatch.run import run_pipeline

        return run_pipeline(settings, args.paths, once=args.once, keep_broker=args.keep_broker)
    if args.command == "kafka":
        return _kafka(args.action, settings)
    if args.command == "topics":
        from newswatch.kafka.admin import prepare_newswatch_topics
        from newswatch.kafka.connection import KafkaConnection

        created = asyncio.run(prepare_newswatch_topics(KafkaConnection.from_settings(settings), settings))
        print(f"created: {', '.join(created)}" if created else "all topics already exist")
        return 0
    if args.command == "worker":
        from newswatch.tagger.worker import run_worker

        run_worker(settings)
    if args.command == "replay":
        return _replay(args, settings)
    if args.command == "tag":
        from newswatch.tagger.offline import tag_files

        return tag_files(settings, args.paths)
    if args.command == "schemas":
        return _schemas(args.out, args.check)
    if args.command == "watchlists":
        from newswatch.watchlists.commands import check_command, explain_command

        if args.watchlists_action == "check":
            return check_command(args.paths)
        return explain_command(settings, args.path)
    if args.command == "eval":
        from newswatch.evaluation.command import eval_command

        return eval_command(settings, args.paths, args.json, args.min_f1)
    raise AssertionError(args.command)


def _kafka(action: str, settings: Settings) -> int:
    from newswatch.kafka.local_broker import LocalBroker

    if not settings.uses_local_broker:
        raise NewswatchError(
            f"NEWSWATCH_KAFKA_BOOTSTRAP is set ({settings.kafka_bootstrap}): the local broker is not used; "
            "unset it to manage the local broker"
        )
    broker = LocalBroker.from_settings(settings)
    if action == "up":
        status = broker.up()
        print(
            f"kafka: listening on {status.bootstrap} (pid {status.pid or 'not ours'}); log: {status.log_file}"
        )
    elif action == "down":
        print("kafka: stopped" if broker.down() else "kafka: no local broker was running")
    else:
        status = broker.status()
        state = "answering" if status.answering else "not answering"
        print(f"kafka: {state} on {status.bootstrap}; pid {status.pid or '-'}; log: {status.log_file}")
        return 0 if status.answering else 3
    return 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from newswatch.kafka.admin import prepare_newswatch_topics
    from newswatch.kafka.connection import KafkaConnection
    from newswatch.replayer.producer import ReplayOptions, replay

    connection = KafkaConnection.from_settings(settings)
    asyncio.run(prepare_newswatch_topics(connection, settings))
    options = ReplayOptions(rate=args.rate, loop=args.loop, limit=args.limit)
    report = asyncio.run(replay(args.paths, connection, settings.articles_topic, options))
    for article_id, reason in report.undelivered:
        print(f"not delivered: article {article_id}: {reason}", file=sys.stderr)
    print(
        f"replay: {report.delivered} delivered to {settings.articles_topic}, "
        f"{len(report.skipped_inputs)} inputs skipped, {len(report.undelivered)} not delivered"
    )
    return 0 if report.ok else 1


def _schemas(out: Path, check: bool) -> int:
    from newswatch.schemas import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out)
        for name in stale:
            print(f"{out / name} is out of date; run `newswatch schemas`", file=sys.stderr)
        return 1 if stale else 0
    for path in write_schemas(out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
