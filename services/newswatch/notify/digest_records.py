"""The notifier's internal digest topic: its records as bytes, and back. Pure, no Kafka.

The notifier does not fold a digest entry into the `digests` table where it reads the
alert: alerts of one subscription arrive on every partition, and a table write goes to
the changelog partition of the event being processed, so one subscription's batch would
be written from several partitions and read back in no defined order. Instead each
entry is sent on `{app id}-notify-digest-entries` keyed by subscription name (a
repartition, as Kafka Streams does before a stateful step), where one partition holds
all of a subscription's entries and so its whole batch.

A **tick** (`{"subscription": name}` with no subject) is sent on the same key by a timer
when a batch of that subscription is due: the flush then runs while processing the tick,
on the batch's partition, so a quiet subscription is still sent on time.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from newswatch.contracts import Alert, SpikeEvent, StoryEvent, describe_validation_error
from newswatch.notify.bounded import bounded_alert, bounded_spike
from newswatch.notify.records import Unreadable
from newswatch.notify.routing import DigestEntry, Record
from newswatch.notify.subscriptions import Subscription


class DigestRecord(BaseModel):
    """An entry (a subject and its record) or, with no subject, a tick."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subscription: str
    subject: Literal["story", "alert", "spike", "copy"] | None = None
    alert: Alert | None = None
    story: StoryEvent | None = None
    spike: SpikeEvent | None = None

    @property
    def record(self) -> Record | None:
        return self.alert or self.story or self.spike

    def entry(self, subscription: Subscription) -> DigestEntry | None:
        """The digest entry for `subscription` (the one of that name now); None for a tick."""
        record = self.record
        if self.subject is None or record is None:
            return None
        return DigestEntry(subscription, self.subject, record)


def entry_record(entry: DigestEntry) -> tuple[bytes, bytes]:
    """(key, value) of an entry; alerts and spikes as bounded copies, as the digest keeps them."""
    record, name, subject = entry.record, entry.subscription.name, entry.subject
    if isinstance(record, Alert):
        wire = DigestRecord(subscription=name, subject=subject, alert=bounded_alert(record))
    elif isinstance(record, SpikeEvent):
        wire = DigestRecord(subscription=name, subject=subject, spike=bounded_spike(record))
    else:
        wire = DigestRecord(subscription=name, subject=subject, story=record)
    return _key(entry.subscription.name), wire.model_dump_json().encode("utf-8")


def tick_record(subscription: str) -> tuple[bytes, bytes]:
    return _key(subscription), DigestRecord(subscription=subscription).model_dump_json(
        exclude_none=True
    ).encode()


def read_digest_record(value: bytes | None) -> DigestRecord:
    """The entry or tick in `value`; raises Unreadable."""
    if value is None:
        raise Unreadable("an empty value")
    try:
        record = DigestRecord.model_validate_json(value)
    except ValidationError as exc:
        raise Unreadable(describe_validation_error(exc, "DigestRecord")) from None
    if (record.subject is None) != (record.record is None):
        raise Unreadable("a digest entry needs both a subject and one record")
    return record


def _key(subscription: str) -> bytes:
    return subscription.encode("utf-8")
