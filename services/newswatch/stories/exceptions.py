"""Errors of the stories stage; each carries what the caller needs to report it."""

from __future__ import annotations


class StoriesError(Exception):
    """Root of the stories stage's errors."""


class EventTimeWithoutZone(StoriesError, ValueError):
    """An event time without a time zone: event times are compared across sources."""

    def __init__(self, watchlist: str, article_id: str) -> None:
        super().__init__(
            f"article {article_id!r} (watch-list {watchlist!r}): the event time has no time zone; "
            "pass an aware datetime (published_at or the Kafka timestamp, in UTC)"
        )
        self.watchlist = watchlist
        self.article_id = article_id
