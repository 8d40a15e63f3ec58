"""What the tagger hands the stories stage: one `StoryRequest` per alert, with the event time.

Pure: the tagged article in, the requests out. Called by the worker in its tagging
thread and by `newswatch tag` (offline), so that both place an article in the same story.
"""

from __future__ import annotations

from datetime import UTC, datetime

from newswatch.contracts import Article, StoryRequest
from newswatch.tagger.records import Tagged


def event_time(article: Article, kafka_timestamp: float) -> datetime:
    """When the article happened, for stories and spikes: its `published_at` when it has
    one, else the Kafka timestamp of its record (epoch seconds), so that replaying last
    week's news gives the stories living through it gave."""
    if article.published_at is not None:
        return article.published_at.astimezone(UTC)
    return datetime.fromtimestamp(kafka_timestamp, UTC)


def story_requests(tagged: Tagged, kafka_timestamp: float) -> list[StoryRequest]:
    """One request per alert of `tagged`, sharing the article's fingerprint and event time;
    none when the article has no alerts (or was tagged without stories)."""
    if tagged.fingerprint is None or not tagged.alerts:
        return []
    when = event_time(tagged.article, kafka_timestamp)
    fingerprint = tagged.fingerprint.to_json()
    return [StoryRequest(alert=alert, fingerprint=fingerprint, event_time=when) for alert in tagged.alerts]
