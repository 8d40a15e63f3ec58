"""Decide what one raw record from the articles topic becomes: alerts, or a dead letter.

Every failure here is data, not an exception: the worker must keep running whatever
arrives on the topic, and nothing may be lost, so each record ends as alerts (possibly
none) or as a `DeadLetter` that keeps the original bytes and says what was wrong.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from newswatch.contracts import Alert, Article, DeadLetter, DeadLetterReason, describe_validation_error
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine


@dataclass(frozen=True, slots=True)
class RecordOrigin:
    """Where a record came from, so a dead letter can point back at it."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class Tagged:
    article: Article
    alerts: list[Alert]


# A dead letter must itself fit on the dead-letter topic: beyond this, keep the head only.
DEAD_LETTER_VALUE_BYTES = 256 * 1024


class _Rejected(Exception):
    def __init__(self, reason: DeadLetterReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def tag_record(
    key: bytes | None,
    value: bytes | None,
    origin: RecordOrigin,
    engine: Engine,
    now: datetime,
    *,
    max_value_bytes: int,
) -> Tagged | DeadLetter:
    raw = value or b""
    try:
        if len(raw) > max_value_bytes:
            # Refused before parsing, so that memory per record stays bounded by the limit.
            raise _Rejected(
                "too_large",
                f"the record is {len(raw):,} bytes; the limit is {max_value_bytes:,} "
                "(NEWSWATCH_MAX_ARTICLE_BYTES)",
            )
        article = decode_article(value)
        return Tagged(article, alerts_for(article, engine, now))
    except _Rejected as rejected:
        reason, detail = rejected.reason, rejected.detail
    except Exception as exc:  # noqa: BLE001 - any engine failure must become a dead letter
        reason, detail = "tagging_failed", f"the watch-list engine failed: {type(exc).__name__}: {exc}"
    return DeadLetter(
        reason=reason,
        detail=detail,
        topic=origin.topic,
        partition=origin.partition,
        offset=origin.offset,
        key_base64=DeadLetter.encode_bytes(key),
        value_base64=DeadLetter.encode_bytes(raw[:DEAD_LETTER_VALUE_BYTES]) or "",
        value_size=len(raw),
        value_sha256=hashlib.sha256(raw).hexdigest(),
        value_truncated=len(raw) > DEAD_LETTER_VALUE_BYTES,
        failed_at=now,
    )


def decode_article(value: bytes | None) -> Article:
    if not value:
        raise _Rejected(
            "not_json", "the record has no value (empty or null); expected an Article JSON object"
        )
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Rejected(
            "not_utf8", f"the value is not UTF-8 text: invalid byte at position {exc.start}"
        ) from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Rejected(
            "not_json", f"the value is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise _Rejected("not_json", "the value is JSON nested too deeply to read") from None
    if not isinstance(parsed, dict):
        raise _Rejected(
            "invalid_article", f"expected a JSON object (an Article), got a JSON {type(parsed).__name__}"
        )
    try:
        return Article.model_validate(parsed)
    except ValidationError as exc:
        raise _Rejected("invalid_article", describe_validation_error(exc)) from None
