"""`newswatch notify check [FILE]`: validate a subscriptions file, as the notifier does on start."""

from __future__ import annotations

import argparse
import os
import sys

from newswatch.errors import ConfigurationError
from newswatch.notify.loading import known_watchlists
from newswatch.notify.subscriptions import read_subscriptions
from newswatch.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    """One line per problem (`file:line: message`) and exit 1, or `ok: N subscription(s)` and exit 0.

    Watch-list names are checked against the watch-lists the worker loads
    (NEWSWATCH_WATCHLISTS, else the packaged ones); `secret_env` against this environment.
    """
    if args.print or args.once:
        raise ConfigurationError("--print and --once go with `newswatch notify` alone, not with check")
    path = args.path or settings.subscriptions
    if path is None:
        raise ConfigurationError("name a subscriptions file, or set NEWSWATCH_SUBSCRIPTIONS")
    subscriptions, problems = read_subscriptions(
        path,
        environ=os.environ,
        known_watchlists=known_watchlists(settings),
        min_digest_seconds=settings.notify_digest_min_seconds,
    )
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {path}", file=sys.stderr)
        return 1
    print(f"ok: {len(subscriptions)} subscription(s)")
    return 0
