"""`newswatch watchlists explain`: which rules fired for an article, and why."""

from __future__ import annotations

import argparse

from newswatch.article_files import articles_skipping_problems
from newswatch.errors import ArticleFileError
from newswatch.settings import Settings
from newswatch.watchlists import Engine


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Print the engine's reasoning for every article in the file (read as `newswatch tag` does)."""
    engine = Engine.from_settings(settings)
    skipped: list[ArticleFileError] = []
    for article in articles_skipping_problems([args.path], skipped):
        print(f"article {article.id}: {article.title}")
        print(engine.explain(article.title, article.body, article.language).render())
    return 1 if skipped else 0
