"""`newswatch tag`: the streaming tagger's logic without Kafka, for files or stdin.

Prints exactly the Alert records the worker would publish for the same articles
(same ids, same evidence), one JSON object per line; problems go to stderr.
"""

from __future__ import annotations

import argparse
import sys

from newswatch.article_files import STDIN, articles_skipping_problems
from newswatch.contracts import utc_now
from newswatch.errors import ArticleFileError
from newswatch.settings import Settings
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Print the alerts for the articles in the files (or stdin); exit 1 when any input was skipped."""
    engine = Engine.from_settings(settings)
    skipped: list[ArticleFileError] = []
    for article in articles_skipping_problems(args.paths or [STDIN], skipped):
        for alert in alerts_for(article, engine, utc_now()):
            sys.stdout.write(alert.model_dump_json() + "\n")
    sys.stdout.flush()
    return 1 if skipped else 0
