"""What one record read by the notifier comes to: pure, no Kafka, no clock of its own.

`read_record` decodes a record of the alerts, stories or spikes topic; `pending` routes it
(`routing.route`) and leaves out the notifications already sent (`sent.SentLedger`);
`dead_letter` describes a notification that was not delivered, for
news.notifications.dlq, with its destination masked. The Faust adapter (`service.py`)
moves the bytes and awaits the channels between these calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from newswatch.contracts import (
    Alert,
    NotificationDeadLetter,
    SpikeEvent,
    StoryEvent,
    describe_validation_error,
)
from newswatch.notify.channels.result import Delivery, Final
from newswatch.notify.routing import Notification, Record, route
from newswatch.notify.sent import SentLedger
from newswatch.notify.subscriptions import Subscription
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
    """The notifications a record makes that were not sent yet, and how many were."""

    notifications: tuple[Notification, ...]
    already_sent: int


def pending(record: Record, subscriptions: Sequence[Subscription], ledger: SentLedger) -> Pending:
    """The immediate notifications of `record` still to send (digest entries are not
    delivered by the service yet: `loading.refuse_digests` keeps them out)."""
    routed = route(record, subscriptions)
    fresh = tuple(n for n in routed.now if not ledger.was_sent(n.notification_id))
    return Pending(fresh, len(routed.now) - len(fresh))


def dead_letter(
    notification: Notification, delivery: Delivery, origin: RecordOrigin, now: datetime
) -> NotificationDeadLetter:
    if delivery.delivered:
        raise ValueError("a delivered notification is no dead letter")
    return NotificationDeadLetter(
        notification_id=notification.notification_id,
        subscription=notification.subscription.name,
        destination=notification.destination.masked,
        channel=notification.destination.channel,
        reason=delivery.reason,
        final="refused" if delivery.final is Final.REFUSED else "exhausted",
        attempts=max(1, delivery.attempts),
        failed_at=now,
        topic=origin.topic,
        partition=origin.partition,
        offset=origin.offset,
        record=notification.record,
    )
