"""`newswatch tag`: the streaming tagger's logic without Kafka, for files or stdin.

Prints exactly the Alert records the worker would publish for the same articles
(same ids, same evidence, and with stories on the same story ids), one JSON object per
line; problems go to stderr.
"""

from __future__ import annotations

import argparse
import sys

from newswatch.article_files import STDIN, articles_skipping_problems
from newswatch.contracts import utc_now
from newswatch.errors import ArticleFileError
from newswatch.settings import Settings
from newswatch.stories.fingerprint import fingerprint
from newswatch.stories.records import StoryState, place
from newswatch.stories.requests import story_requests
from newswatch.stories.store import TableStore
from newswatch.tagger.alerts import alerts_for
from newswatch.tagger.records import Tagged
from newswatch.watchlists import Engine


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Print the alerts for the articles in the files (or stdin); exit 1 when any input was skipped."""
    engine = Engine.from_settings(settings)
    # The worker's stories stage over a dict, fed in input order: deterministic. An
    # article without published_at takes the time it is read as its event time, as the
    # worker takes the Kafka timestamp.
    stories = StoryState.over(TableStore({}), settings) if settings.stories_enabled else None
    skipped: list[ArticleFileError] = []
    for article in articles_skipping_problems(args.paths or [STDIN], skipped):
        now = utc_now()
        alerts = alerts_for(article, engine, now)
        if stories is not None and alerts:
            tagged = Tagged(article, alerts, fingerprint(article.title, article.body))
            alerts = [
                place(request, stories, now).alert for request in story_requests(tagged, now.timestamp())
            ]
        for alert in alerts:
            sys.stdout.write(alert.model_dump_json() + "\n")
    sys.stdout.flush()
    return 1 if skipped else 0
