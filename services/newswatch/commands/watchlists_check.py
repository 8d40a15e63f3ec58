"""`newswatch watchlists check`: validate watch-list files, as the worker does on start."""

from __future__ import annotations

import argparse
import sys

from newswatch.settings import Settings
from newswatch.watchlists.rules.loader import check_watchlists, default_watchlist_paths, watchlist_files


def run(settings: Settings, args: argparse.Namespace) -> int:
    """One line per problem (`file:line: message`, `file:line:column: message` in a query) and
    exit 1, or a short OK and exit 0. A folder stands for its .yaml and .yml files."""
    chosen = args.paths or default_watchlist_paths()
    problems = check_watchlists(chosen)
    files = len(watchlist_files(chosen))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {files} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {files} watch-list file(s) valid")
    return 0
