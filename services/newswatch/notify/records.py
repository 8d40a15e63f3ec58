"""What one record read by the notifier comes to: pure, no Kafka, no clock of its own.

`read_record` decodes a record of the alerts, stories or spikes topic; `pending` routes it
(`routing.route`) and leaves out the notifications already sent (`sent.SentLedger`);
`dead_letter` and `digest_dead_letter` describe a notification or a digest that was not
delivered, for news.notifications.dlq, with its destination masked. The Faust adapter (`service.py`)
moves the bytes and awaits the channels between these calls.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from newswatch.contracts import (
    Alert,
    NotificationDeadLetter,
    SpikeEvent,
    StoryEvent,
    describe_validation_error,
)
from newswatch.notify.channels.result import Delivery, Final
from newswatch.notify.digest import Digest
from newswatch.notify.render import digest_body
from newswatch.notify.routing import DigestEntry, Notification, Record, digest_entry_id, route
from newswatch.notify.sent import SentLedger
from newswatch.notify.subscriptions import Destination, Subscription
from newswatch.tagger.records import RecordOrigin

RecordType = type[Alert] | type[StoryEvent] | type[SpikeEvent]


class Unreadable(ValueError):
    """A record that is not the contract of its topic; the message says why."""


def read_record(kind: RecordType, value: bytes | None) -> Record:
    """The record as its topic's contract; raises Unreadable."""
    if value is None:
        raise Unreadable("an empty value")
    try:
        return kind.model_validate_json(value)
    except ValidationError as exc:
        raise Unreadable(describe_validation_error(exc, kind.__name__)) from None


@dataclass(frozen=True, slots=True)
class Pending:
    """The notifications a record makes that were not sent yet, the entries it adds to
    digests that were not handed to the digest stage yet, and how many of both were."""

    notifications: tuple[Notification, ...]
    already_sent: int
    digest_entries: tuple[DigestEntry, ...] = ()


def pending(record: Record, subscriptions: Sequence[Subscription], ledger: SentLedger) -> Pending:
    """The immediate notifications of `record` still to send, and its digest entries not
    yet handed on (`routing.digest_entry_id` in the ledger)."""
    routed = route(record, subscriptions)
    fresh = tuple(n for n in routed.now if not ledger.was_sent(n.notification_id))
    entries = tuple(e for e in routed.later if not ledger.was_sent(digest_entry_id(e)))
    repeats = len(routed.now) - len(fresh) + len(routed.later) - len(entries)
    return Pending(fresh, repeats, entries)


def dead_letter(
    notification: Notification, delivery: Delivery, origin: RecordOrigin, now: datetime
) -> NotificationDeadLetter:
    return _letter(
        notification.notification_id,
        notification.subscription,
        notification.destination,
        delivery,
        origin=origin,
        now=now,
        record=notification.record,
    )


def digest_dead_letter(
    digest: Digest, destination: Destination, delivery: Delivery, origin: RecordOrigin, now: datetime
) -> NotificationDeadLetter:
    """A digest no destination took: the whole document, so the batch can still be read
    (origin: the digest-topic record whose handling flushed it)."""
    document = json.loads(digest_body(digest, destination))
    return _letter(
        digest.digest_id(destination),
        digest.subscription,
        destination,
        delivery,
        origin=origin,
        now=now,
        digest=document,
    )


def _letter(
    notification_id: str,
    subscription: Subscription,
    destination: Destination,
    delivery: Delivery,
    *,
    origin: RecordOrigin,
    now: datetime,
    record: Alert | SpikeEvent | None = None,
    digest: dict[str, Any] | None = None,
) -> NotificationDeadLetter:
    if delivery.delivered:
        raise ValueError("a delivered notification is no dead letter")
    return NotificationDeadLetter(
        kind="notification" if digest is None else "digest",
        notification_id=notification_id,
        subscription=subscription.name,
        destination=destination.masked,
        channel=destination.channel,
        reason=delivery.reason,
        final="refused" if delivery.final is Final.REFUSED else "exhausted",
        attempts=max(1, delivery.attempts),
        failed_at=now,
        topic=origin.topic,
        partition=origin.partition,
        offset=origin.offset,
        record=record,
        digest=digest,
    )
