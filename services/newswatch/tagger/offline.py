"""`newswatch tag`: the streaming tagger's logic without Kafka, for files or stdin.

Prints exactly the Alert records the worker would publish for the same articles
(same ids, same evidence), one JSON object per line; problems go to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

from newswatch.article_files import STDIN, read_articles
from newswatch.contracts import utc_now
from newswatch.errors import ArticleFileError
from newswatch.settings import Settings
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine


def tag_files(settings: Settings, paths: list[Path]) -> int:
    engine = Engine.from_settings(settings)
    problems = 0
    for item in read_articles(paths or [STDIN]):
        if isinstance(item, ArticleFileError):
            problems += 1
            print(f"skipped {item}", file=sys.stderr)
            continue
        for alert in alerts_for(item, engine, utc_now()):
            sys.stdout.write(alert.model_dump_json() + "\n")
    sys.stdout.flush()
    return 1 if problems else 0
