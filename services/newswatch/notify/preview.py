"""`newswatch notify --print`: what the notifier would send, as JSON lines, sending nothing.

A dry run of the subscriptions against the records already on the topics (and, without
`--once`, those still to come): the same routing and ids as the service (`records.pending`),
but nothing leaves this process and nothing is committed or recorded. It reads with a
consumer of no group, from the beginning of every partition, so a running notifier and
its `sent` table are left alone, and it needs no SMTP server or webhook receiver.

One line per notification:

    {"subscription": "desk", "channel": "webhook", "destination": "https://hooks.example.org/****",
     "notification_id": "…", "event": "story", "body": {…the alert or spike…}}

`destination` is masked as in logs (a URL may hold a token); `body` is exactly what a
webhook would be POSTed; email and chat lines also carry the `subject` a person would read.

A subscription with `digest:` gets a line per destination when a period's batch is
complete (`"event": "digest"`, with `period_start`/`period_end`, and the digest document
as `body`), batched by the same wall-clock periods as the service. With `--once`, the
batches still open when the topics are read to the end are printed then, with
`"complete": false`: what the digest would hold so far.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from aiokafka import AIOKafkaConsumer, TopicPartition

from newswatch.contracts import Alert, SpikeEvent, StoryEvent, utc_now
from newswatch.kafka.admin import partitions_of, quiet_client_logs, wait_for_broker
from newswatch.kafka.connection import KafkaConnection
from newswatch.notify.digest import Digest, Digester
from newswatch.notify.records import RecordType, Unreadable, pending, read_record
from newswatch.notify.render import digest_body, record_body
from newswatch.notify.render_email import digest_email, notification_email
from newswatch.notify.routing import Notification, Record
from newswatch.notify.sent import SentLedger
from newswatch.notify.subscriptions import Subscription
from newswatch.settings import Settings

# The ledger only spares a second line for a record read twice (at-least-once upstream);
# nothing is kept after the command ends, so the window does not matter.
_WINDOW_HOURS = 24.0


def preview(notification: Notification) -> dict[str, Any]:
    """What one notification would be: the line `--print` shows for it."""
    line: dict[str, Any] = {
        "subscription": notification.subscription.name,
        "channel": notification.destination.channel,
        "destination": notification.destination.masked,
        "notification_id": notification.notification_id,
        "event": notification.subject,
        "body": json.loads(record_body(notification.record)),
    }
    if notification.destination.channel != "webhook":
        line["subject"] = notification_email(notification).subject
    return line


def digest_previews(digest: Digest, *, complete: bool) -> list[dict[str, Any]]:
    """What one digest would be: a line per destination of its subscription."""
    lines = []
    for destination in digest.subscription.to:
        line: dict[str, Any] = {
            "subscription": digest.subscription.name,
            "channel": destination.channel,
            "destination": destination.masked,
            "notification_id": digest.digest_id(destination),
            "event": "digest",
            "period_start": digest.start.isoformat(),
            "period_end": digest.end.isoformat(),
            "complete": complete,
            "body": json.loads(digest_body(digest, destination)),
        }
        if destination.channel != "webhook":
            line["subject"] = digest_email(digest).subject
        lines.append(line)
    return lines


def previews(
    record: Record, subscriptions: Sequence[Subscription], ledger: SentLedger, digester: Digester
) -> list[dict[str, Any]]:
    """The lines of one record, each notification id once (recorded in `ledger`); its
    digest entries go into `digester`, printed when their period ends (`due_previews`)."""
    lines = []
    todo = pending(record, subscriptions, ledger)
    for notification in todo.notifications:
        lines.append(preview(notification))
        ledger.record(notification.notification_id, 0, utc_now())
    for entry in todo.digest_entries:
        digester.add(entry, utc_now())
    return lines


def due_previews(
    digester: Digester, subscriptions: Sequence[Subscription], now: datetime, *, complete: bool
) -> list[dict[str, Any]]:
    """The lines of the digests due at `now`, forgotten once printed."""
    lines = []
    for digest in digester.due(subscriptions, now):
        lines += digest_previews(digest, complete=complete)
        digester.sent(digest)
    return lines


@dataclass
class PreviewReport:
    records: int = 0
    notifications: int = 0
    unreadable: int = 0


async def print_notifications(
    settings: Settings,
    connection: KafkaConnection,
    subscriptions: Sequence[Subscription],
    *,
    once: bool,
    out: TextIO = sys.stdout,
) -> PreviewReport:
    """Print what every record of the three topics would send; with `once`, stop at the
    end the topics had when this started, else follow them until cancelled."""
    kinds: dict[str, RecordType] = {
        settings.alerts_topic: Alert,
        settings.stories_topic: StoryEvent,
        settings.spikes_topic: SpikeEvent,
    }
    await wait_for_broker(connection, 30.0)
    known = await partitions_of(connection, kinds)
    partitions = [TopicPartition(topic, p) for topic, numbers in known.items() for p in numbers]
    consumer = AIOKafkaConsumer(**connection.client_kwargs(), enable_auto_commit=False)
    await consumer.start()
    report = PreviewReport()
    ledger = SentLedger({}, _WINDOW_HOURS)
    digester = Digester({})

    def show(lines: list[dict[str, Any]]) -> None:
        for line in lines:
            print(json.dumps(line, ensure_ascii=False), file=out, flush=True)
            report.notifications += 1

    try:
        consumer.assign(partitions)
        with quiet_client_logs():  # just-created partitions can refuse the first lookup
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
        while True:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for message in records:
                    report.records += 1
                    try:
                        record = read_record(kinds[message.topic], message.value)
                    except Unreadable as exc:
                        report.unreadable += 1
                        print(
                            f"skipped {message.topic} partition {message.partition} offset "
                            f"{message.offset}: {exc}",
                            file=sys.stderr,
                        )
                        continue
                    show(previews(record, subscriptions, ledger, digester))
            show(due_previews(digester, subscriptions, utc_now(), complete=True))
            if once and not batch and all([await consumer.position(tp) >= end for tp, end in ends.items()]):
                show(due_previews(digester, subscriptions, datetime.max.replace(tzinfo=UTC), complete=False))
                return report
    finally:
        await consumer.stop()
