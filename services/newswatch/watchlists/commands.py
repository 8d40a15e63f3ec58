"""`newswatch watchlists check` and `newswatch watchlists explain`: the analyst's tools."""

from __future__ import annotations

import sys
from pathlib import Path

from newswatch.article_files import read_articles
from newswatch.errors import ArticleFileError
from newswatch.settings import Settings
from newswatch.watchlists.engine import Engine
from newswatch.watchlists.loader import check_watchlists, default_watchlist_paths


def check_command(paths: list[Path]) -> int:
    """One line per problem (`file:line: message`) and exit 1, or a short OK and exit 0."""
    chosen = paths or default_watchlist_paths()
    problems = check_watchlists(chosen)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {len(chosen)} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {len(chosen)} watch-list file(s) valid")
    return 0


def explain_command(settings: Settings, path: Path) -> int:
    """Print the engine's reasoning for every article in the file (read as `newswatch tag` does)."""
    engine = Engine.from_settings(settings)
    problems = 0
    for item in read_articles([path]):
        if isinstance(item, ArticleFileError):
            problems += 1
            print(f"skipped {item}", file=sys.stderr)
            continue
        print(f"article {item.id}: {item.title}")
        print(engine.explain(item.title, item.body, item.language).render())
    return 1 if problems else 0
