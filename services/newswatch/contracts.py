"""The records newswatch reads and writes on Kafka: Article in; Alert, StoryEvent,
SpikeEvent and DeadLetter out; StoryRequest between the worker's two agents;
PublishedWatchlist on the compacted watch-lists topic.

These pydantic models are the single source of truth for the wire format. The JSON
Schemas in `schemas/` are generated from them (`newswatch schemas`), and a test fails
when the two drift apart.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

SCHEMA_VERSION: Literal[1] = 1


class _Record(BaseModel):
    # Unknown fields are refused rather than dropped: a producer that misspells
    # `body` should hear about it (through the dead-letter topic), not lose text.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Article(_Record):
    """One news article, as published to the articles topic."""

    id: str = Field(min_length=1, max_length=512, description="Stable article id; the Kafka key.")
    title: str = Field(default="", description="Headline; may be empty.")
    body: str = Field(min_length=1, description="Full text of the article.")
    language: str | None = Field(
        default=None, description="ISO 639-1 code (e.g. 'id', 'en') when the source knows it."
    )
    url: str | None = None
    source: str | None = Field(default=None, description="Publisher or feed name.")
    published_at: AwareDatetime | None = None


class Evidence(_Record):
    """One place in the article that made a watch-list match, so an analyst can check it."""

    term: str = Field(description="The watch-list term or rule that matched.")
    field: Literal["title", "body"]
    start: int = Field(ge=0, description="Offset of the first character in the original field.")
    end: int = Field(ge=0, description="Offset one past the last character in the original field.")
    text: str = Field(description="The matched text exactly as it appears in the article.")
    snippet: str = Field(description="A short stretch of text around the match.")


class Alert(_Record):
    """One article matched one watch-list."""

    schema_version: Literal[1] = SCHEMA_VERSION
    alert_id: str = Field(
        description="Deterministic id from article id and watch-list: consumers de-duplicate on it."
    )
    article_id: str
    watchlist: str
    score: float = Field(description="Strength of the match; at least the watch-list's threshold.")
    evidence: list[Evidence] = Field(min_length=1)
    title: str
    language: str | None = Field(
        description="The article's language, or the detected one (see language_detected)."
    )
    language_detected: bool = Field(
        default=False, description="True when the article had no language and `language` was detected."
    )
    url: str | None
    source: str | None
    published_at: AwareDatetime | None
    tagged_at: AwareDatetime
    story_id: str | None = Field(
        default=None,
        description="The story this article belongs to (the id of its first article); "
        "null when the worker runs without stories (NEWSWATCH_STORIES_ENABLED=false).",
    )


def alert_id_for(article_id: str, watchlist: str) -> str:
    """The same article and watch-list always give the same id (at-least-once de-duplication)."""
    digest = hashlib.sha256(f"{article_id}\x1f{watchlist}".encode()).hexdigest()
    return digest[:32]


class StoryEvent(_Record):
    """One alerted article placed in a story of its watch-list: it opened the story
    (`new`) or joined it as a copy (`copy`). Keyed by `story_id` on the stories topic."""

    schema_version: Literal[1] = SCHEMA_VERSION
    story_id: str = Field(description="The id of the story's first article; the Kafka key.")
    article_id: str
    watchlist: str
    kind: Literal["new", "copy"] = Field(
        description="new: this article opened the story; copy: it joined one."
    )
    size: int = Field(ge=1, description="Articles in the story so far, this one included.")
    first_article_id: str
    first_title: str
    first_seen_at: AwareDatetime = Field(description="Event time of the story's first article.")
    event_time: AwareDatetime = Field(
        description="This article's event time: its published_at, else its Kafka timestamp."
    )
    title: str
    source: str | None
    url: str | None


class StoryRef(_Record):
    story_id: str
    title: str


class SpikeEvent(_Record):
    """A watch-list whose count of new stories in one hour of event time is far above its
    own baseline. Keyed by `watchlist` on the spikes topic; `spike_id` is the same when a
    spike is sent again (at-least-once)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    spike_id: str = Field(description="Deterministic id from watch-list and window: de-duplicate on it.")
    watchlist: str
    window_start: AwareDatetime
    window_end: AwareDatetime
    count: int = Field(ge=1, description="New stories of the watch-list in the window so far.")
    baseline: float = Field(ge=0, description="Mean new stories per window over the previous hours.")
    stories: list[StoryRef] = Field(description="The first stories of the window (at most 20).")
    raised_at: AwareDatetime


class StoryRequest(_Record):
    """Internal, between the worker's tagger and stories agents (the repartition topic, keyed
    by watch-list): one alert waiting for its story, with the article's fingerprint."""

    schema_version: Literal[1] = SCHEMA_VERSION
    alert: Alert
    fingerprint: dict[str, Any] = Field(description="stories.fingerprint.Fingerprint.to_json()")
    event_time: AwareDatetime


DeadLetterReason = Literal[
    "not_utf8",
    "not_json",
    "invalid_article",
    "tagging_failed",
    "too_large",
    "too_slow",
    "story_failed",
]


class DeadLetter(_Record):
    """A record the worker could not turn into alerts (or, `story_failed`, a story request
    it could not place in a story), kept whole with the reason why."""

    schema_version: Literal[1] = SCHEMA_VERSION
    reason: DeadLetterReason
    detail: str = Field(description="What was wrong, in words a person can act on.")
    topic: str
    partition: int
    offset: int
    key_base64: str | None = Field(
        description="The record's original key bytes, base64; only the first 16 KiB when key_truncated."
    )
    key_truncated: bool = Field(default=False, description="True when the key was too large to copy whole.")
    value_base64: str = Field(
        description="The record's original value bytes, base64; only the first bytes when value_truncated."
    )
    value_size: int = Field(ge=0, description="Size in bytes of the original value.")
    value_sha256: str = Field(description="SHA-256 of the whole original value, hex.")
    value_truncated: bool = Field(
        default=False,
        description="True when the value was too large to copy whole; fetch it from topic/partition/offset.",
    )
    failed_at: AwareDatetime

    @staticmethod
    def encode_bytes(raw: bytes | None) -> str | None:
        return None if raw is None else base64.b64encode(raw).decode("ascii")

    def original_value(self) -> bytes:
        """The original value (its first bytes when `value_truncated`)."""
        return base64.b64decode(self.value_base64)


class NotificationDeadLetter(_Record):
    """A notification `newswatch notify` could not deliver: a destination refused it (a
    permanent failure) or still failed when its retry time ran out. Keyed by notification id.

    `kind` says what it held: one alert or spike (`record`), or a digest (`digest`, the
    document a webhook would have received, so nothing of the batch is lost)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    kind: Literal["notification", "digest"] = "notification"
    notification_id: str = Field(
        description="The notification's id, its Idempotency-Key (for a digest, its digest_id)."
    )
    subscription: str
    destination: str = Field(description="The destination with its secret parts masked (never the raw URL).")
    channel: Literal["webhook", "email", "apprise"]
    reason: str = Field(description="Why it was not delivered, with the last attempt's reason.")
    final: Literal["refused", "exhausted"]
    attempts: int = Field(ge=1)
    failed_at: AwareDatetime
    topic: str = Field(description="Where the record that made the notification was read.")
    partition: int
    offset: int
    record: Alert | SpikeEvent | None = Field(
        default=None, description="kind notification: the alert or spike the notification was about."
    )
    digest: dict[str, Any] | None = Field(
        default=None,
        description="kind digest: the digest as a webhook receives it: {digest: {...}, items: [...]}.",
    )

    @model_validator(mode="after")
    def _holds_what_its_kind_says(self) -> NotificationDeadLetter:
        if self.kind == "notification" and (self.record is None or self.digest is not None):
            raise ValueError("a notification dead letter holds its record and no digest")
        if self.kind == "digest" and (self.digest is None or self.record is not None):
            raise ValueError("a digest dead letter holds its digest and no record")
        return self


class PublishedWatchlist(_Record):
    """One watch-list published to the compacted watch-lists topic (`newswatch watchlists
    publish`), keyed by its name. A record with a null value (a tombstone) removes it.

    The YAML is carried as written, so every worker compiles exactly what was checked;
    `name`, `version` and `sha256` repeat what the YAML says so that `newswatch watchlists
    list` and the metrics can show them without compiling it, and a worker refuses a
    record whose copies disagree.
    """

    schema_version: Literal[1] = SCHEMA_VERSION
    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", max_length=200, description="The watch-list's name; the Kafka key."
    )
    version: str = Field(min_length=1, description="The `version:` of the YAML.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of `yaml` (UTF-8), hex.")
    yaml: str = Field(min_length=1, description="The watch-list file's text, as validated by the publisher.")
    source: str | None = Field(default=None, description="The file it was published from (for people).")
    published_by: str = Field(min_length=1, description="Who published it (user@host, or --by).")
    published_at: AwareDatetime


def yaml_sha256(text: str) -> str:
    """The content hash of a watch-list's YAML, as published and as shown in metrics."""
    return hashlib.sha256(text.encode()).hexdigest()


def utc_now() -> datetime:
    return datetime.now(UTC)


def describe_validation_error(error: ValidationError, record: str = "Article") -> str:
    """'body: Field required; langauge: Extra inputs are not permitted' — short and actionable."""
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(loc) for loc in item["loc"]) or "record"
        parts.append(f"{where}: {item['msg']}")
    more = error.error_count() - len(parts)
    if more > 0:
        parts.append(f"and {more} more problem(s)")
    return f"not a valid {record}: " + "; ".join(parts)
