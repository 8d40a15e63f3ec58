"""Decide what one raw record from the articles topic becomes: alerts, or a dead letter.

Every failure here is data, not an exception: the worker must keep running whatever
arrives on the topic, and nothing may be lost, so each record ends as alerts (possibly
none) or as a `DeadLetter` that keeps the original bytes and says what was wrong. An
unexpected failure also hands back its exception, for the adapter to log its traceback.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from newswatch.contracts import Alert, Article, DeadLetter, DeadLetterReason, describe_validation_error
from newswatch.stories.fingerprint import Fingerprint, fingerprint
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine
from newswatch.watchlists.scoring.deadline import Clock, Deadline, RecordTooSlow


@dataclass(frozen=True, slots=True)
class RecordOrigin:
    """Where a record came from, so a dead letter can point back at it."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class Tagged:
    """The article and its alerts; with stories on, the fingerprint of an alerted article
    (computed once here, in the tagging thread and its budget, for all its alerts)."""

    article: Article
    alerts: list[Alert]
    fingerprint: Fingerprint | None = None


@dataclass(frozen=True, slots=True)
class DeadLettered:
    """A record that gives no alerts: the dead letter to publish and, when the engine
    failed (`tagging_failed`), the exception, whose traceback the dead letter leaves out."""

    dead_letter: DeadLetter
    failure: Exception | None = None


# A dead letter must itself fit on the dead-letter topic: beyond these, keep the head only.
DEAD_LETTER_VALUE_BYTES = 256 * 1024
DEAD_LETTER_KEY_BYTES = 16 * 1024
# The detail quotes field names and messages from the record; bounded for the same reason.
DETAIL_CHARS = 2000

_JSON_TYPE_NAMES = {
    list: "a JSON array",
    str: "a JSON string",
    bool: "a JSON boolean",
    int: "a JSON number",
    float: "a JSON number",
    type(None): "JSON null",
}


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
    budget_seconds: float,
    clock: Clock = time.perf_counter,
    stories: bool = False,
) -> Tagged | DeadLettered:
    """Decode one raw record of the articles topic and tag it with `engine`.

    Takes the record's key and value as they came from Kafka, where it came from (quoted
    by its dead letter), the engine, and `now` (the alerts' `tagged_at`, the dead letter's
    `failed_at`). Returns the article and its alerts (possibly none), or a dead letter.

    Guarantees: never raises for anything in the record or the engine; every record ends
    as `Tagged` or `DeadLettered`, the dead letter keeping the original bytes (up to
    `DEAD_LETTER_VALUE_BYTES`) and a reason. Alert ids depend on the article id and the
    watch-list only, so a record tagged twice gives the same alerts. A value over
    `max_value_bytes` is refused unparsed; tagging may take `budget_seconds` (decoding
    included), then it is stopped at the engine's next stage boundary as too_slow. With
    `stories`, an article with alerts also gets its fingerprint, within the same budget.
    Pure: no I/O, no logging; the caller logs a `failure`'s traceback.
    """
    raw = value or b""
    failure: Exception | None = None
    try:
        if len(raw) > max_value_bytes:
            # Refused before parsing, so that memory per record stays bounded by the limit.
            raise _Rejected(
                "too_large",
                f"the record is {len(raw):,} bytes; the limit is {max_value_bytes:,} "
                "(NEWSWATCH_MAX_ARTICLE_BYTES)",
            )
        # Started here, in the tagging thread: time spent waiting for the thread is not the record's.
        deadline = Deadline(budget_seconds, clock)
        article = decode_article(value)
        deadline.check("decode")
        alerts = alerts_for(article, engine, now, deadline)
        if not (stories and alerts):
            return Tagged(article, alerts)
        found = fingerprint(article.title, article.body)
        deadline.check("fingerprint")
        return Tagged(article, alerts, found)
    except _Rejected as rejected:
        reason, detail = rejected.reason, rejected.detail
    except RecordTooSlow as slow:
        reason = "too_slow"
        detail = (
            slow.describe("budget (NEWSWATCH_RECORD_BUDGET_SECONDS)")
            + ". Expected for such articles: raise the budget; otherwise report it with this dead letter"
        )
    except Exception as exc:  # noqa: BLE001 - any engine failure must become a dead letter
        reason, detail = "tagging_failed", f"the watch-list engine failed: {type(exc).__name__}: {exc}"
        failure = exc
    return DeadLettered(dead_letter_for(reason, detail, key=key, raw=raw, origin=origin, now=now), failure)


def dead_letter_for(
    reason: DeadLetterReason,
    detail: str,
    *,
    key: bytes | None,
    raw: bytes,
    origin: RecordOrigin,
    now: datetime,
) -> DeadLetter:
    """The dead letter of one record: the reason, the detail (bounded, printable), where it
    came from, and its original key and value (bounded)."""
    return DeadLetter(
        reason=reason,
        detail=_printable(detail),
        topic=origin.topic,
        partition=origin.partition,
        offset=origin.offset,
        key_base64=DeadLetter.encode_bytes(None if key is None else key[:DEAD_LETTER_KEY_BYTES]),
        key_truncated=key is not None and len(key) > DEAD_LETTER_KEY_BYTES,
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
            "not_utf8",
            f"the value is not UTF-8 text: invalid byte 0x{value[exc.start]:02x} at position {exc.start}"
            + _encoding_hint(value),
        ) from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Rejected(
            "not_json", f"the value is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise _Rejected("not_json", "the value is JSON nested too deeply to read") from None
    except ValueError:
        # Python refuses to convert integers this long (a guard against quadratic-time parsing).
        raise _Rejected(
            "not_json",
            f"the value has a number of more than {sys.get_int_max_str_digits()} digits, too long to read",
        ) from None
    if not isinstance(parsed, dict):
        got = _JSON_TYPE_NAMES.get(type(parsed), "something else")
        raise _Rejected("invalid_article", f"expected a JSON object (an Article), got {got}")
    _refuse_lone_surrogates(parsed)
    try:
        return Article.model_validate(parsed)
    except ValidationError as exc:
        raise _Rejected("invalid_article", describe_validation_error(exc)) from None


def _encoding_hint(value: bytes) -> str:
    if value.startswith(b"\x1f\x8b"):
        return "; it looks gzip-compressed: send plain JSON (Kafka compresses batches itself)"
    if value.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "; it looks UTF-16 encoded: send UTF-8"
    return "; send UTF-8"


def _refuse_lone_surrogates(fields: dict[str, object]) -> None:
    # JSON can spell half a UTF-16 pair ("\ud800"); Python keeps it, but it is not text and
    # no alert or dead letter that quoted it could be written as UTF-8.
    for name, field_value in fields.items():
        for text in (name, field_value):
            if isinstance(text, str) and not _is_unicode(text):
                where = _printable(name)
                raise _Rejected(
                    "invalid_article",
                    f"not a valid Article: {where}: contains an unpaired UTF-16 surrogate escape "
                    "(such as \\ud800); escape characters beyond U+FFFF as a pair, or send them as UTF-8",
                )


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    """`text` bounded in length and encodable as UTF-8 (lone surrogates shown as escapes)."""
    if len(text) > DETAIL_CHARS:
        # Head and tail: the problem ("...: Extra inputs are not permitted") is often at the end.
        half = DETAIL_CHARS // 2
        text = f"{text[:half]} …({len(text) - 2 * half:,} characters left out)… {text[-half:]}"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
