"""Decide what one story request becomes: the alert with its story id, the story event,
and the spike it raises, or a dead letter.

Modelled on `tagger.records`: the raw record in, data out, never an exception; the
book, the spike detector (both over the stage's store) and the clock are passed in.
Deterministic: the same request decided again (redelivered after a crash) gives the
same alert, story event and spike (`now`, the spike's `raised_at`, aside).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from newswatch.contracts import (
    Alert,
    SpikeEvent,
    StoryEvent,
    StoryRef,
    StoryRequest,
    describe_validation_error,
)
from newswatch.settings import Settings
from newswatch.stories.book import HOUR, StoryBook
from newswatch.stories.fingerprint import Fingerprint
from newswatch.stories.spikes import SpikeDetector, SpikeParams
from newswatch.tagger.records import DeadLettered, RecordOrigin, dead_letter_for


@dataclass(frozen=True, slots=True)
class Storied:
    """An alert placed in its story: what to publish on the alerts, stories and spikes topics."""

    alert: Alert
    story: StoryEvent
    spike: SpikeEvent | None


@dataclass(frozen=True, slots=True)
class StoryState:
    """The stories and the spike counts, both over the stage's one store."""

    book: StoryBook
    spikes: SpikeDetector

    @classmethod
    def over(cls, store: MutableMapping[str, object], settings: Settings) -> StoryState:
        """A book and a detector over `store`, with the window and spike settings."""
        params = SpikeParams(
            min_count=settings.spike_min_count,
            sensitivity=settings.spike_sensitivity,
            cooldown_seconds=round(settings.spike_cooldown_hours * HOUR),
        )
        return cls(
            StoryBook(store, window_seconds=settings.story_window_hours * HOUR),
            SpikeDetector(store, params),
        )


def place_record(
    key: bytes | None, value: bytes | None, origin: RecordOrigin, state: StoryState, now: datetime
) -> Storied | DeadLettered:
    """Decode one record of the repartition topic and place its alert in a story.

    Never raises: a request that is not a valid `StoryRequest`, or that the book or the
    detector fail on, becomes a `story_failed` dead letter keeping the original bytes
    (and, for an unexpected failure, the exception, for the adapter to log).
    """
    raw = value or b""
    try:
        request = StoryRequest.model_validate_json(raw)
    except ValidationError as exc:
        detail = describe_validation_error(exc, "StoryRequest")
        return DeadLettered(dead_letter_for("story_failed", detail, key=key, raw=raw, origin=origin, now=now))
    try:
        return place(request, state, now)
    except Exception as exc:  # noqa: BLE001 - any failure of the stage must become a dead letter
        detail = f"the stories stage failed: {type(exc).__name__}: {exc}"
        letter = dead_letter_for("story_failed", detail, key=key, raw=raw, origin=origin, now=now)
        return DeadLettered(letter, exc)


def place(request: StoryRequest, state: StoryState, now: datetime) -> Storied:
    """The story of the request's alert (new or copy), and the spike a new story raises."""
    alert = request.alert
    decision = state.book.decide(
        alert.watchlist,
        alert.article_id,
        alert.title,
        Fingerprint.from_json(request.fingerprint),
        request.event_time,
    )
    story = StoryEvent(
        story_id=decision.story_id,
        article_id=alert.article_id,
        watchlist=alert.watchlist,
        kind=decision.kind,
        size=decision.size,
        first_article_id=decision.first_article_id,
        first_title=decision.first_title,
        first_seen_at=decision.first_time,
        event_time=decision.event_time,
        title=alert.title,
        source=alert.source,
        url=alert.url,
    )
    spike = None
    if decision.kind == "new":
        # Only new stories count: a surge of copies of one story is one story, not a spike.
        raised = state.spikes.observe(alert.watchlist, decision.story_id, alert.title, decision.event_time)
        if raised is not None:
            spike = SpikeEvent(
                spike_id=raised.spike_id,
                watchlist=raised.watchlist,
                window_start=raised.window_start,
                window_end=raised.window_end,
                count=raised.count,
                baseline=raised.baseline,
                stories=[StoryRef(story_id=sid, title=title) for sid, title in raised.stories],
                raised_at=now,
            )
    return Storied(alert.model_copy(update={"story_id": decision.story_id}), story, spike)
