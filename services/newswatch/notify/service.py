"""The Faust adapter of `newswatch notify`: alerts, story events and spikes in;
notifications out through the channels; undeliverable ones to news.notifications.dlq.

All decisions live in `routing`, `records` and `sent`; this module moves bytes, awaits
the channels, counts, and owns the state's wiring: the `sent` table and its changelog.

**Why the sent-id check is co-located.** Faust writes a table change to the changelog
partition of the event being processed, and a notification's id is only ever checked
and recorded while processing the record that makes it. The same record always arrives
on the same partition: alerts are keyed by article id (a story's opening alert is one
record, read again only as itself), spikes by watch-list (a spike read again has the
same key and so the same partition). So `sent/<id>` is read back from the partition it
was written to, also after a restart or a rebalance (Faust's assignor gives a worker the
same partition numbers of the source topics and of the changelog, which has as many).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

import faust
from faust.types import EventT
from prometheus_client import CollectorRegistry

from newswatch.contracts import Alert, SpikeEvent, StoryEvent, utc_now
from newswatch.kafka.connection import KafkaConnection
from newswatch.metrics import NotifyMetrics
from newswatch.notify.agent_loop import handle_in_partition_order
from newswatch.notify.channels import Channels
from newswatch.notify.digesting import DigestStage
from newswatch.notify.outgoing import notification_message
from newswatch.notify.records import RecordType, Unreadable, dead_letter, pending, read_record
from newswatch.notify.reloading import SubscriptionsSlot
from newswatch.notify.routing import DigestEntry, Notification, digest_entry_id
from newswatch.notify.sent import SentLedger
from newswatch.settings import Settings
from newswatch.stories.store import TableStore
from newswatch.tables import memory_table
from newswatch.tagger.app import configured_app
from newswatch.tagger.records import RecordOrigin
from newswatch.topics import raw_topic

# Faust names a table's changelog `{app id}-{name}-changelog`: with the notifier's app id
# `{app_id}-notify` it is `Settings.notify_sent_changelog_topic` (created compacted).
TABLE_NAME = "sent"

logger = logging.getLogger(__name__)


class Notifier:
    """The notifier's Faust app (`app`), with its own app id and consumer group.

    Guarantees: records are routed one at a time, in order (agent concurrency 1); a
    record's notifications go out at once, one task per destination, each within its own
    timeout and retry budget, while the agent goes on with the next records (up to
    `inflight.DEFAULT_LIMIT` held), so a hanging destination holds up no other record. A
    record is acknowledged, so its offset can be committed, only once all its
    notifications and those of every earlier record of its partition are delivered or
    dead-lettered, and recorded in the `sent` table (at-least-once). A notification whose
    id is in the table, or being delivered, is not sent again. A record that cannot be
    read is logged and counted, and the agent goes on.
    """

    def __init__(
        self,
        settings: Settings,
        connection: KafkaConnection,
        subscriptions: SubscriptionsSlot,
        channels: Channels,
        *,
        metrics: NotifyMetrics,
        registry: CollectorRegistry,
    ) -> None:
        self.settings = settings
        self.subscriptions = subscriptions  # a SIGHUP reload swaps its `current`
        self.channels = channels
        self.metrics = metrics
        own = settings.model_copy(
            update={"app_id": settings.notify_app_id, "metrics_port": settings.notify_metrics_port}
        )
        self.app = configured_app(own, connection, registry)
        self.kinds: dict[str, RecordType] = {
            settings.alerts_topic: Alert,
            settings.stories_topic: StoryEvent,
            settings.spikes_topic: SpikeEvent,
        }
        # One agent reads the three topics and the digest stage's own (`digesting.py`): one
        # agent loop, so one place where records are held and acknowledged in order.
        self.records = raw_topic(self.app, *self.kinds, settings.notify_digest_topic)
        self.dead_letters = raw_topic(self.app, settings.notifications_dlq_topic)
        # The memory store, as for stories: the table is bounded by the window
        # (NEWSWATCH_NOTIFY_SENT_WINDOW_HOURS), so reading its compacted changelog back is quick.
        self.table = memory_table(
            self.app,
            TABLE_NAME,
            partitions=settings.topic_partitions,
            help="Notification ids sent, per source partition (newswatch.notify.sent).",
        )
        self.ledger = SentLedger(TableStore(self.table), settings.notify_sent_window_hours)
        self.digests = DigestStage(
            self.app,
            settings,
            subscriptions=subscriptions,
            channels=channels,
            ledger=self.ledger,
            metrics=metrics,
            dead_letters=self.dead_letters,
        )

        @self.app.page("/healthz")
        async def healthz(view: faust.web.View, request: faust.web.Request) -> faust.web.Response:
            names = [s.name for s in self.subscriptions.current]
            return view.json({"status": "ok", "subscriptions": names})

        self.app.agent(self.records, name="newswatch.notify", concurrency=1)(self.notify)
        # Notification ids being delivered now: a copy of the record read again meanwhile
        # (same key, so same partition, acknowledged after this one) sends them no second time.
        self._delivering: set[str] = set()

    async def notify(self, stream: faust.StreamT[bytes]) -> None:
        await handle_in_partition_order(stream, self.start, "notifying")

    def start(self, event: EventT[Any]) -> Awaitable[None] | None:
        """What to deliver for this record (None: nothing), decided on the agent's task.

        Table reads and writes happen on the agent's task or in the deliveries started from
        it (`InFlight.add` starts them with its context): Faust finds the event, and so the
        changelog partition, in a context variable.
        """
        message = event.message
        if message.topic == self.settings.notify_digest_topic:
            return self.digests.handle(event)
        origin = RecordOrigin(message.topic, message.partition, message.offset)
        try:
            record = read_record(self.kinds[message.topic], message.value)
        except Unreadable as exc:
            self.metrics.invalid_records.labels(topic=message.topic).inc()
            logger.warning(
                "skipped %s partition %d offset %d: %s", origin.topic, origin.partition, origin.offset, exc
            )
            return None
        self.ledger.expire(message.partition, utc_now())
        # Read once: a reload between two records swaps the whole tuple, never part of it.
        todo = pending(record, self.subscriptions.current, self.ledger)
        fresh = [n for n in todo.notifications if n.notification_id not in self._delivering]
        self.metrics.skipped_repeats.inc(todo.already_sent + len(todo.notifications) - len(fresh))
        if not fresh and not todo.digest_entries:
            return None
        self._delivering.update(n.notification_id for n in fresh)
        return self._deliver_all(fresh, todo.digest_entries, origin, message.timestamp)

    async def _deliver_all(
        self,
        notifications: list[Notification],
        entries: tuple[DigestEntry, ...],
        origin: RecordOrigin,
        published: float,
    ) -> None:
        """Every destination at once, each within its own timeout and retry budget; the
        digest entries handed to the digest stage (on the broker before the ack)."""
        jobs = [self._deliver(n, origin, published) for n in notifications]
        if entries:
            jobs.append(self._hand_on(entries, origin))
        await asyncio.gather(*jobs)

    async def _hand_on(self, entries: tuple[DigestEntry, ...], origin: RecordOrigin) -> None:
        """To the digest stage; recorded once the broker has them, so that this record read
        again puts them in no later digest."""
        await self.digests.add(entries)
        for entry in entries:
            self.ledger.record(digest_entry_id(entry), origin.partition, utc_now())

    async def _deliver(self, notification: Notification, origin: RecordOrigin, published: float) -> None:
        try:
            delivery = await self.channels.deliver(notification_message(notification, utc_now()))
            labels = {
                "subscription": notification.subscription.name,
                "channel": notification.destination.channel,
            }
            failed_attempts = delivery.attempts - 1 if delivery.delivered else delivery.attempts
            if failed_attempts > 0:
                self.metrics.failed.labels(**labels).inc(failed_attempts)
            if delivery.delivered:
                self.metrics.sent.labels(**labels).inc()
                self.metrics.delivery_seconds.observe(max(0.0, time.time() - published))
            else:
                letter = dead_letter(notification, delivery, origin, utc_now())
                logger.warning(
                    "notification %s of %s to %s dead-lettered on %s: %s",
                    notification.notification_id,
                    notification.subscription.name,
                    notification.destination.masked,
                    self.settings.notifications_dlq_topic,
                    delivery.reason,
                )
                await self.dead_letters.send(
                    key=notification.notification_id.encode(), value=letter.model_dump_json().encode()
                )
                self.metrics.dead_lettered.labels(**labels).inc()
            # Delivered or dead-lettered, it is done: a record read again sends neither again.
            self.ledger.record(notification.notification_id, origin.partition, utc_now())
        finally:
            self._delivering.discard(notification.notification_id)
