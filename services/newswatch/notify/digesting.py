"""The notifier's digest stage: the `digests` table, its topic and its timer (Faust wiring).

    notifier agent ──entry (key = subscription)──► {app id}-notify-digest-entries ─┐
    timer (every TICK_SECONDS, a batch due) ──tick──┘                               │
    the same notifier agent ◄───────────────────────────────────────────────────────┘
        (`handle`: folds the entry in, flushes the subscription's due batches)

The notifier's one agent reads this topic with its three others and hands its records to
`handle` (`service.Notifier.start`), so they are held and acknowledged by the same agent
loop as every other record.

**State.** Pending batches live in the changelogged table `digests` (`digest.Digester`
over it). Every write happens while processing a record of the digest topic, and all of
a subscription's records share one key and so one partition: its batch is written to,
and read back from, one changelog partition, also after a restart.

**Flush.** Handling an entry or a tick, `handle` asks for the subscription's batches
due now (wall clock) and delivers each as one message per destination, in a task held
by `InFlight` like the notifier's records: the entry or tick is acknowledged only after
the digest is delivered (or dead-lettered) and removed from the table, so no offset is
committed past a digest not yet delivered; the batch itself is in the table anyway.

**Exactly one digest.** A digest's id (per destination) is a hash of the subscription,
the destination and the period's start: a flush repeated after a crash carries the same
`Idempotency-Key`/Message-ID, and a destination whose id is in the `sent` ledger is not
sent again; a digest being delivered is not started a second time by the next tick.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import faust
from faust.types import EventT

from newswatch.contracts import utc_now
from newswatch.metrics import NotifyMetrics
from newswatch.notify.channels import Channels, Message
from newswatch.notify.digest import Digest, Digester
from newswatch.notify.digest_records import entry_record, read_digest_record, tick_record
from newswatch.notify.outgoing import digest_messages
from newswatch.notify.records import Unreadable, digest_dead_letter
from newswatch.notify.reloading import SubscriptionsSlot
from newswatch.notify.routing import DigestEntry
from newswatch.notify.sent import SentLedger
from newswatch.notify.subscriptions import Destination, Subscription
from newswatch.settings import Settings
from newswatch.stories.store import TableStore
from newswatch.tables import memory_table
from newswatch.tagger.records import RecordOrigin
from newswatch.topics import raw_topic

# Faust names the changelog `{app id}-digests-changelog`: Settings.notify_digest_changelog_topic.
TABLE_NAME = "digests"
# How often the timer looks for due batches: a digest goes out at most this long after
# its period ends (plus the delivery).
TICK_SECONDS = 2.0

logger = logging.getLogger(__name__)


class DigestStage:
    def __init__(
        self,
        app: faust.App,
        settings: Settings,
        *,
        subscriptions: SubscriptionsSlot,
        channels: Channels,
        ledger: SentLedger,
        metrics: NotifyMetrics,
        dead_letters: faust.TopicT,
    ) -> None:
        self.subscriptions = subscriptions
        self.dead_letters = dead_letters
        self.channels = channels
        self.ledger = ledger
        self.metrics = metrics
        self.topic = raw_topic(app, settings.notify_digest_topic)
        self.table = memory_table(
            app,
            TABLE_NAME,
            partitions=settings.topic_partitions,
            help="Pending digests per subscription (newswatch.notify.digest).",
        )
        self.digester = Digester(TableStore(self.table))
        self._delivering: set[str] = set()  # digest ids (per destination) being delivered now
        app.timer(TICK_SECONDS)(self.tick)

    async def add(self, entries: tuple[DigestEntry, ...]) -> None:
        """Send `entries` to the digest topic and wait until the broker has them: the
        notifier acknowledges the record that made them only then."""
        sent = [await self.topic.send(key=key, value=value) for key, value in map(entry_record, entries)]
        await asyncio.gather(*sent)

    async def tick(self) -> None:
        """A tick for each subscription with a batch due: a quiet one is flushed too.
        Only reads the table (no event here, so no changelog partition to write to)."""
        now = utc_now()
        for subscription in self.subscriptions.current:
            if self.digester.has_due(subscription, now):
                key, value = tick_record(subscription.name)
                await self.topic.send(key=key, value=value)

    def handle(self, event: EventT[Any]) -> Awaitable[None] | None:
        """Fold an entry in, then start the delivery of the subscription's due batches.
        Called by the notifier's agent (`service.Notifier.start`) for a record of the
        digest topic, on the agent's task: the table writes go to this event's partition."""
        message = event.message
        try:
            record = read_digest_record(message.value)
        except Unreadable as exc:
            self.metrics.invalid_records.labels(topic=message.topic).inc()
            logger.warning(
                "skipped %s partition %d offset %d: %s", message.topic, message.partition, message.offset, exc
            )
            return None
        subscription = next((s for s in self.subscriptions.current if s.name == record.subscription), None)
        if subscription is None:
            logger.warning(
                "no subscription '%s' any more: its digest entry is dropped (pending batches stay)",
                record.subscription,
            )
            return None
        now = utc_now()
        entry = record.entry(subscription)
        if entry is not None and subscription.digest_seconds:
            self.digester.add(entry, now)
        elif entry is not None:
            logger.warning("'%s' has no digest any more: a digest entry is dropped", subscription.name)
        origin = RecordOrigin(message.topic, message.partition, message.offset)
        work = [self._flush(digest, origin, now) for digest in self.digester.due([subscription], now)]
        started = [job for job in work if job is not None]
        return _all(started) if started else None

    def _flush(self, digest: Digest, origin: RecordOrigin, now: datetime) -> Awaitable[None] | None:
        messages = digest_messages(digest, now)
        ids = [digest.digest_id(destination) for destination, _ in messages]
        if any(digest_id in self._delivering for digest_id in ids):
            return None  # a flush of this digest is running; it removes the batch when done
        todo = [(d, m) for d, m in messages if not self.ledger.was_sent(digest.digest_id(d))]
        if not todo:  # delivered before a crash, not yet removed
            self.digester.sent(digest)
            return None
        self._delivering.update(ids)
        return self._deliver(digest, todo, origin)

    async def _deliver(
        self, digest: Digest, todo: list[tuple[Destination, Message]], origin: RecordOrigin
    ) -> None:
        try:
            await asyncio.gather(*(self._deliver_one(digest, d, m, origin) for d, m in todo))
            self.digester.sent(digest)
            self.metrics.digest_entries.labels(subscription=digest.subscription.name).observe(digest.size)
        finally:
            self._delivering.difference_update(digest.digest_id(d) for d in digest.subscription.to)

    async def _deliver_one(
        self, digest: Digest, destination: Destination, message: Message, origin: RecordOrigin
    ) -> None:
        subscription: Subscription = digest.subscription
        delivery = await self.channels.deliver(message)
        labels = {"subscription": subscription.name, "channel": destination.channel}
        failed_attempts = delivery.attempts - 1 if delivery.delivered else delivery.attempts
        if failed_attempts > 0:
            self.metrics.failed.labels(**labels).inc(failed_attempts)
        if delivery.delivered:
            self.metrics.sent.labels(**labels).inc()
        else:
            letter = digest_dead_letter(digest, destination, delivery, origin, utc_now())
            logger.warning(
                "digest %s of %s (%s to %s) to %s dead-lettered on %s: %s",
                letter.notification_id,
                subscription.name,
                digest.start.isoformat(),
                digest.end.isoformat(),
                destination.masked,
                self.dead_letters.get_topic_name(),
                delivery.reason,
            )
            await self.dead_letters.send(
                key=letter.notification_id.encode(), value=letter.model_dump_json().encode()
            )
            self.metrics.dead_lettered.labels(**labels).inc()
        self.ledger.record(digest.digest_id(destination), origin.partition, utc_now())


async def _all(jobs: list[Awaitable[None]]) -> None:
    await asyncio.gather(*jobs)
