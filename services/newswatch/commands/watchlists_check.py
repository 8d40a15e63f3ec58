"""`newswatch watchlists check`: validate watch-list files, as the worker does on start."""

from __future__ import annotations

import argparse
import sys

from newswatch.settings import Settings
from newswatch.watchlists.rules.loader import check_watchlists, default_watchlist_paths


def run(settings: Settings, args: argparse.Namespace) -> int:
    """One line per problem (`file:line: message`) and exit 1, or a short OK and exit 0."""
    chosen = args.paths or default_watchlist_paths()
    problems = check_watchlists(chosen)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {len(chosen)} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {len(chosen)} watch-list file(s) valid")
    return 0
