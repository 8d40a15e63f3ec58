"""Which notifications one record makes: pure, deterministic, no Kafka.

The notifier reads three topics; this module decides, per record and subscription:

- **Alerts carry the evidence**, so notifications are made from alerts. An alert whose
  `story_id` equals its `article_id` opened its story (the story id is the id of its
  first article); `story_id` null means the worker runs without stories, and then every
  alert counts as opening a story of its own, so nothing is lost.
  `per: story` notifies on the opening alert only (copies fold in); `per: article` on
  every alert. `min_score` applies to both.
- **Story events only count copies.** A `copy` event adds to the story's entry of a
  pending digest (`per: story` digests show "N articles, M outlets"); a `new` event
  makes nothing (its alert does). Immediate `per: story` subscriptions ignore copies:
  that is the point of folding them in.
- **Spikes** notify the subscriptions with `spikes: true` that follow the watch-list.

A subscription with `digest` gets `DigestEntry`s (for `digest.Digester.add`), one
without gets a `Notification` per destination, to send now.

**Ids.** `notification_id` is a hash of the subscription name, the destination and the
subject: `story/<watch-list>/<story id>`, `alert/<alert id>` or `spike/<spike id>`. The
watch-list is part of a story's subject because one article can open a story in two
watch-lists with the same story id. The same record routed again (at-least-once from
Kafka) gives the same id, sent as the `Idempotency-Key` and the email's Message-ID.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from newswatch.contracts import Alert, SpikeEvent, StoryEvent
from newswatch.notify.subscriptions import Destination, Subscription

Subject = Literal["story", "alert", "spike"]
Record = Alert | StoryEvent | SpikeEvent


@dataclass(frozen=True, slots=True)
class Notification:
    """One record to send now to one destination of one subscription."""

    notification_id: str
    subscription: Subscription
    destination: Destination
    subject: Subject
    record: Alert | SpikeEvent


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One record to fold into the subscription's next digest: an opening alert
    (`story`), any alert (`alert`), a copy's story event (`copy`) or a spike."""

    subscription: Subscription
    subject: Subject | Literal["copy"]
    record: Record


@dataclass(frozen=True, slots=True)
class Routed:
    now: tuple[Notification, ...] = ()
    later: tuple[DigestEntry, ...] = ()


def stable_id(*parts: str) -> str:
    """32 hex characters from the parts; the unit separator keeps ('a b', 'c') from ('a', 'b c')."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def notification_id(subscription: str, destination: Destination, subject_key: str) -> str:
    return stable_id("notification", subscription, destination.url, subject_key)


def digest_entry_id(entry: DigestEntry) -> str:
    """The id under which the notifier records an entry handed to the digest stage, so that
    a record read again after a crash does not put it in a later digest a second time."""
    record = entry.record
    if isinstance(record, StoryEvent):
        subject = f"copy/{story_key(record.watchlist, record.story_id)}/{record.article_id}"
    else:
        assert entry.subject != "copy"
        subject = subject_key(entry.subject, record)
    return stable_id("digest-entry", entry.subscription.name, subject)


def opens_story(alert: Alert) -> bool:
    return alert.story_id is None or alert.story_id == alert.article_id


def story_key(watchlist: str, story_id: str) -> str:
    return f"story/{watchlist}/{story_id}"


def subject_key(subject: Subject, record: Alert | SpikeEvent) -> str:
    """What a notification is about; with the subscription and destination, its id."""
    if isinstance(record, SpikeEvent):
        return f"spike/{record.spike_id}"
    if subject == "story":
        return story_key(record.watchlist, record.story_id or record.article_id)
    return f"alert/{record.alert_id}"


def route(record: Record, subscriptions: Sequence[Subscription]) -> Routed:
    """The notifications to send now and the digest entries `record` makes."""
    now: list[Notification] = []
    later: list[DigestEntry] = []
    for subscription in subscriptions:
        if not subscription.follows(record.watchlist):
            continue
        if isinstance(record, StoryEvent):
            if record.kind == "copy" and subscription.per == "story" and subscription.digest_seconds:
                later.append(DigestEntry(subscription, "copy", record))
            continue
        subject = _subject(record, subscription)
        if subject is None:
            continue
        if subscription.digest_seconds:
            later.append(DigestEntry(subscription, subject, record))
            continue
        key = subject_key(subject, record)
        now.extend(
            Notification(
                notification_id(subscription.name, destination, key),
                subscription,
                destination,
                subject,
                record,
            )
            for destination in subscription.to
        )
    return Routed(tuple(now), tuple(later))


def _subject(record: Alert | SpikeEvent, subscription: Subscription) -> Subject | None:
    if isinstance(record, SpikeEvent):
        return "spike" if subscription.spikes else None
    if subscription.min_score is not None and record.score < subscription.min_score:
        return None
    if subscription.per == "article":
        return "alert"
    return "story" if opens_story(record) else None
