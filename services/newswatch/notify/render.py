"""What a webhook receives: the body bytes and the headers, signed when there is a secret.

- Body: the alert (`per: article`, or the alert that opened a story for `per: story`)
  or the spike event, as JSON; a digest is a JSON object with its stories and spikes.
  Records are bounded copies (`bounded.py`): a hostile article cannot make a big body.
- `Idempotency-Key`: the notification id (or digest id), the same each time the same
  notification is sent again; receivers drop a key they have already seen.
- `X-Newswatch-Event`: story | alert | spike | digest.
- With a secret: `X-Newswatch-Timestamp: <unix seconds>` and
  `X-Newswatch-Signature: sha256=<hex>`, the HMAC-SHA256 with the secret of
  `<timestamp>.` followed by the exact body bytes (as Stripe signs; the header looks like
  GitHub's `X-Hub-Signature-256`). The timestamp is signed so that a captured request
  cannot be replayed later: receivers refuse one older than a few minutes.
  `verify_signature` is what a receiver does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newswatch.contracts import Alert, SpikeEvent
from newswatch.notify.bounded import bounded_alert, bounded_spike
from newswatch.notify.digest import Digest
from newswatch.notify.routing import Notification
from newswatch.notify.subscriptions import Destination

SIGNATURE_HEADER = "X-Newswatch-Signature"
TIMESTAMP_HEADER = "X-Newswatch-Timestamp"
EVENT_HEADER = "X-Newswatch-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SIGNATURE_TOLERANCE_SECONDS = 300


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """A POST ready to send: `body` as is, with these headers (signature out of the repr)."""

    body: bytes
    headers: dict[str, str] = field(repr=False)


def notification_request(notification: Notification, now: datetime) -> WebhookRequest:
    """The webhook POST of one notification; signed with the subscription's secret, if any."""
    body = record_body(notification.record)
    key = notification.subscription.signing_key()
    return _request(body, notification.notification_id, notification.subject, key, now)


def digest_request(digest: Digest, destination: Destination, now: datetime) -> WebhookRequest:
    key = digest.subscription.signing_key()
    return _request(digest_body(digest, destination), digest.digest_id(destination), "digest", key, now)


def record_body(record: Alert | SpikeEvent) -> bytes:
    bounded = bounded_alert(record) if isinstance(record, Alert) else bounded_spike(record)
    return bounded.model_dump_json().encode("utf-8")


def digest_body(digest: Digest, destination: Destination) -> bytes:
    """{"digest": {digest_id, subscription, period_start, period_end, stories, alerts, spikes,
    left_out}, "items": [story or spike item]}, items grouped by watch-list (in name order),
    stories before spikes, each group in the order the digest collected them; docs/notify.md."""
    items: list[dict[str, Any]] = []
    for group in digest.groups:
        items += [
            {
                "type": "story",
                "watchlist": group.watchlist,
                "story_id": story.story_id,
                "title": story.title,
                "articles": story.articles,
                "outlets": list(story.outlets),
                "alerts": [alert.model_dump(mode="json") for alert in story.alerts],
            }
            for story in group.stories
        ]
        items += [
            {"type": "spike", "watchlist": group.watchlist, "spike": spike.model_dump(mode="json")}
            for spike in group.spikes
        ]
    document: dict[str, Any] = {
        "digest": {
            "digest_id": digest.digest_id(destination),
            "subscription": digest.subscription.name,
            "period_start": digest.start.isoformat(),
            "period_end": digest.end.isoformat(),
            "stories": digest.story_count,
            "alerts": digest.alert_count,
            "spikes": digest.spike_count,
            "left_out": digest.left_out,
        },
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(body: bytes, secret: bytes, timestamp: int) -> str:
    """The signature header's value: `sha256=` and the hex HMAC of `<timestamp>.<body>`."""
    digest = hmac.new(secret, f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    body: bytes,
    timestamp: str,
    signature: str,
    secret: bytes,
    *,
    now: datetime,
    tolerance_seconds: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver checks: the signature matches, and the timestamp is recent."""
    if not timestamp.isdigit() or abs(now.timestamp() - int(timestamp)) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(body, secret, int(timestamp)), signature)


def _request(
    body: bytes, idempotency_key: str, event: str, secret: bytes | None, now: datetime
) -> WebhookRequest:
    headers = {
        "Content-Type": "application/json",
        IDEMPOTENCY_HEADER: idempotency_key,
        EVENT_HEADER: event,
    }
    if secret is not None:
        timestamp = int(now.timestamp())
        headers[TIMESTAMP_HEADER] = str(timestamp)
        headers[SIGNATURE_HEADER] = sign(body, secret, timestamp)
    return WebhookRequest(body, headers)
