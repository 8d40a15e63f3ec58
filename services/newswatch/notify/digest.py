"""Digests: a subscription's notifications batched by period, kept in a key-value store.

**Buckets are in processing time (the wall clock), not event time.** A digest is about
when people read: "what arrived in the last hour" at 10:00, 11:00, ... An event-time
bucket would wait for late articles forever, or send a 09:00 digest at 14:00 because an
article published at 09:30 arrived late. An entry added at time t goes to the bucket
that starts at floor(t / period) * period (UTC; a `1d` digest covers a UTC day).

**The store** is a MutableMapping of string keys to JSON-able values, as the stories
book uses (the wiring backs it with a changelogged Faust table). All of a subscription's
keys start with `digest/<subscription>`, so the wiring can keep them on one partition by
routing digest entries keyed by subscription name:

    digest/<sub>           {"buckets": [[start, end], ...], "sent_through": t}
    digest/<sub>/<start>   {"entries": {subject key: entry}, "copies": {story key: copy},
                            "left_out": [hash, ...], "left_out_more": n}

**Restart-safe and idempotent.** Adding the same record again changes nothing (entries
are keyed by subject; copies keep the largest story size and a set of outlets).
`due(now)` only reads: a batch leaves the store when `sent()` is called after every
destination has it, so a crash between sending and `sent()` sends the same batch again,
with the same digest ids. A fresh Digester over the same store returns the same batches.
A bucket already sent never takes new entries (a clock that went back puts them in the
bucket after `sent_through`), so a digest id is never reused for different content.

**Bounded.** At most MAX_ENTRIES entries per batch; the rest are counted (left out) and
the digest says how many. Each entry is a bounded copy (`bounded.py`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from newswatch.contracts import Alert, SpikeEvent, StoryEvent
from newswatch.notify.bounded import MAX_SOURCE_CHARS, bounded_alert, bounded_spike, cut
from newswatch.notify.routing import DigestEntry, stable_id, story_key, subject_key
from newswatch.notify.subscriptions import Destination, Subscription

Store = MutableMapping[str, object]
MAX_ENTRIES = 50  # stories, alerts and spikes in one digest
MAX_COPY_KEYS = 200  # stories whose copies are counted in one batch
MAX_SOURCES = 20  # outlets named per story
MAX_LEFT_OUT_TRACKED = 2000  # left-out subjects remembered, so that a repeat is not counted twice


@dataclass(frozen=True, slots=True)
class DigestStory:
    """A story of a digest: its alerts in the batch (one for `per: story`), and how many
    articles and which outlets it had by the end of the batch."""

    watchlist: str
    story_id: str
    alerts: tuple[Alert, ...]
    articles: int
    outlets: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.alerts[0].title


@dataclass(frozen=True, slots=True)
class DigestGroup:
    watchlist: str
    stories: tuple[DigestStory, ...]
    spikes: tuple[SpikeEvent, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """One batch of one subscription, grouped by watch-list and story, ready to render."""

    subscription: Subscription
    start: datetime
    end: datetime
    groups: tuple[DigestGroup, ...]
    left_out: int

    def digest_id(self, destination: Destination) -> str:
        """The Idempotency-Key of this digest at that destination."""
        return stable_id("digest", self.subscription.name, destination.url, str(int(self.start.timestamp())))

    @property
    def story_count(self) -> int:
        return sum(len(group.stories) for group in self.groups)

    @property
    def spike_count(self) -> int:
        return sum(len(group.spikes) for group in self.groups)

    @property
    def alert_count(self) -> int:
        return sum(len(story.alerts) for group in self.groups for story in group.stories)

    @property
    def size(self) -> int:
        """Entries collected: alerts and spikes shown, and those left out."""
        return self.alert_count + self.spike_count + self.left_out


class Digester:
    """Pending digests of every subscription, in `store`."""

    def __init__(self, store: Store, max_entries: int = MAX_ENTRIES) -> None:
        self._store = store
        self._max_entries = max_entries

    def add(self, entry: DigestEntry, now: datetime) -> None:
        """Fold `entry` into its subscription's open batch (the one `now` falls in)."""
        period = entry.subscription.digest_seconds
        if not period:
            raise ValueError(f"the subscription '{entry.subscription.name}' has no digest")
        name = entry.subscription.name
        start = self._open_bucket(name, period, _epoch(now))
        key = _batch_key(name, start)
        batch = cast(dict[str, Any], self._store.get(key) or _empty_batch())
        if isinstance(entry.record, StoryEvent):
            _count_copy(batch, entry.record)
        else:
            self._add_entry(batch, entry, _epoch(now))
        self._store[key] = batch

    def due(self, subscriptions: Sequence[Subscription], now: datetime) -> list[Digest]:
        """The batches whose period has ended, oldest first per subscription; nothing is removed.

        A subscription whose `digest` was removed has its pending batches due at once. A
        batch that holds only copies (their stories were in an earlier digest) has nothing
        to send: it is forgotten here.
        """
        digests: list[Digest] = []
        for subscription in subscriptions:
            index = self._store.get(_index_key(subscription.name))
            if index is None:
                continue
            for start, end in sorted(cast(dict[str, Any], index)["buckets"]):
                if end <= _epoch(now) or not subscription.digest_seconds:
                    batch = cast(dict[str, Any], self._store[_batch_key(subscription.name, start)])
                    digest = _digest(subscription, start, end, batch)
                    if digest.groups or digest.left_out:
                        digests.append(digest)
                    else:
                        self.sent(digest)
        return digests

    def has_due(self, subscription: Subscription, now: datetime) -> bool:
        """Whether a batch of `subscription` is due at `now`; only reads (a timer may ask)."""
        index = self._store.get(_index_key(subscription.name))
        if index is None:
            return False
        buckets = cast(dict[str, Any], index)["buckets"]
        return any(end <= _epoch(now) or not subscription.digest_seconds for _start, end in buckets)

    def sent(self, digest: Digest) -> None:
        """Forget a batch every destination has received (or dead-lettered)."""
        name = digest.subscription.name
        start = int(digest.start.timestamp())
        index = cast(dict[str, Any] | None, self._store.get(_index_key(name)))
        if index is None:
            return
        buckets = [bucket for bucket in index["buckets"] if bucket[0] != start]
        sent_through = max(index["sent_through"] or 0, int(digest.end.timestamp()))
        self._store[_index_key(name)] = {"buckets": buckets, "sent_through": sent_through}
        self._store.pop(_batch_key(name, start), None)

    def _open_bucket(self, name: str, period: int, now: float) -> int:
        index = cast(
            dict[str, Any], self._store.get(_index_key(name)) or {"buckets": [], "sent_through": None}
        )
        start = math.floor(now / period) * period
        sent_through = index["sent_through"]
        if sent_through is not None and start < sent_through:
            start = sent_through  # that bucket was sent already: its id must not come back
        for bucket_start, _end in index["buckets"]:
            if bucket_start == start:
                return start
        index["buckets"] = [*index["buckets"], [start, start + period]]
        self._store[_index_key(name)] = index
        return start

    def _add_entry(self, batch: dict[str, Any], entry: DigestEntry, now: float) -> None:
        record = entry.record
        assert not isinstance(record, StoryEvent)
        subject = entry.subject
        assert subject != "copy"
        key = subject_key(subject, record)
        entries: dict[str, Any] = batch["entries"]
        if key in entries:
            return  # the same record again (at-least-once): already in
        if len(entries) >= self._max_entries:
            _leave_out(batch, key)
            return
        bounded = bounded_alert(record) if isinstance(record, Alert) else bounded_spike(record)
        entries[key] = {"subject": subject, "record": bounded.model_dump(mode="json"), "added": now}


def _count_copy(batch: dict[str, Any], event: StoryEvent) -> None:
    key = story_key(event.watchlist, event.story_id)
    copies: dict[str, Any] = batch["copies"]
    if key not in copies and len(copies) >= MAX_COPY_KEYS:
        return  # counts are a courtesy; the stories themselves are bounded by MAX_ENTRIES
    copy = copies.setdefault(key, {"size": 1, "sources": []})
    copy["size"] = max(copy["size"], event.size)  # sizes only grow: a repeat changes nothing
    source = cut(event.source, MAX_SOURCE_CHARS) if event.source else None
    if source and source not in copy["sources"] and len(copy["sources"]) < MAX_SOURCES:
        copy["sources"].append(source)


def _leave_out(batch: dict[str, Any], key: str) -> None:
    tag = hashlib.sha256(key.encode()).hexdigest()[:12]
    if tag in batch["left_out"]:
        return
    if len(batch["left_out"]) < MAX_LEFT_OUT_TRACKED:
        batch["left_out"].append(tag)
    else:
        batch["left_out_more"] += 1  # beyond the tracked ones a repeat may count twice


def _digest(subscription: Subscription, start: int, end: int, batch: dict[str, Any]) -> Digest:
    stories: dict[tuple[str, str], list[Alert]] = {}
    spikes: dict[str, list[SpikeEvent]] = {}
    for entry in sorted(batch["entries"].values(), key=lambda entry: entry["added"]):
        if entry["subject"] == "spike":
            spike = SpikeEvent.model_validate(entry["record"])
            spikes.setdefault(spike.watchlist, []).append(spike)
        else:
            alert = Alert.model_validate(entry["record"])
            stories.setdefault((alert.watchlist, alert.story_id or alert.article_id), []).append(alert)
    by_watchlist: dict[str, list[DigestStory]] = {}
    for (watchlist, story_id), alerts in stories.items():
        copy = batch["copies"].get(story_key(watchlist, story_id), {"size": 1, "sources": []})
        outlets = [alert.source for alert in alerts if alert.source]
        outlets += [source for source in copy["sources"] if source not in outlets]
        story = DigestStory(
            watchlist,
            story_id,
            tuple(alerts),
            max(copy["size"], len(alerts)),
            tuple(dict.fromkeys(outlets))[:MAX_SOURCES],
        )
        by_watchlist.setdefault(watchlist, []).append(story)
    groups = tuple(
        DigestGroup(watchlist, tuple(by_watchlist.get(watchlist, ())), tuple(spikes.get(watchlist, ())))
        for watchlist in sorted(set(by_watchlist) | set(spikes))
    )
    left_out = len(batch["left_out"]) + batch["left_out_more"]
    return Digest(subscription, _time(start), _time(end), groups, left_out)


def _empty_batch() -> dict[str, Any]:
    return {"entries": {}, "copies": {}, "left_out": [], "left_out_more": 0}


def _index_key(name: str) -> str:
    return f"digest/{name}"


def _batch_key(name: str, start: int) -> str:
    return f"digest/{name}/{start}"


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        raise ValueError("digest times must be timezone-aware (UTC)")
    return moment.timestamp()


def _time(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
