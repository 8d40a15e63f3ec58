"""Digests: wall-clock buckets in a store, grouped, bounded, and safe across restarts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from newswatch.notify.digest import Digester
from newswatch.notify.routing import Record, route
from newswatch.notify.subscriptions import Subscription
from tests.helpers.stores import JsonStore
from tests.notify.records import T0, WEBHOOK, alert, copy_event, spike, subscription

HOURLY = subscription(digest_seconds=3600, spikes=True)


def feed(
    digester: Digester,
    records: Sequence[Record],
    at: datetime | None = None,
    subscriptions: list[Subscription] | None = None,
) -> None:
    for record in records:
        for entry in route(record, subscriptions or [HOURLY]).later:
            digester.add(entry, at or T0 + timedelta(minutes=10))


def test_a_batch_is_due_when_its_hour_ends_grouped_by_watchlist_and_story() -> None:
    digester = Digester(JsonStore())
    feed(
        digester,
        [alert("a1"), copy_event("a2", size=2), copy_event("a3", size=3, source="Wire Three"), spike()],
    )
    feed(digester, [alert("k1", story_id="k1", watchlist="korean_peninsula", title="Talks")])
    assert digester.due([HOURLY], T0 + timedelta(minutes=59)) == []
    (digest,) = digester.due([HOURLY], T0 + timedelta(hours=1))
    assert (digest.start, digest.end) == (T0, T0 + timedelta(hours=1))
    assert [group.watchlist for group in digest.groups] == ["korean_peninsula", "sanctions"]
    story = digest.groups[1].stories[0]
    assert (story.story_id, story.articles, story.outlets) == (
        "a1",
        3,
        ("Wire One", "Wire Two", "Wire Three"),
    )
    assert len(digest.groups[1].spikes) == 1 and digest.left_out == 0


def test_entries_fold_in_idempotently() -> None:
    digester = Digester(JsonStore())
    records = [alert("a1"), copy_event("a2", size=2), spike()]
    feed(digester, records)
    once = digester.due([HOURLY], T0 + timedelta(hours=1))
    feed(digester, records)  # delivered again (at-least-once)
    assert digester.due([HOURLY], T0 + timedelta(hours=1)) == once


def test_a_fresh_digester_over_the_same_store_gives_the_same_batches() -> None:
    store = JsonStore()
    feed(Digester(store), [alert("a1"), alert("b1", story_id="b1")])
    before = Digester(store).due([HOURLY], T0 + timedelta(hours=2))
    # A restart between sending and sent(): the same batch, the same ids.
    restarted = Digester(store)
    after = restarted.due([HOURLY], T0 + timedelta(hours=2))
    assert after == before and after[0].digest_id(WEBHOOK) == before[0].digest_id(WEBHOOK)
    restarted.sent(after[0])
    assert Digester(store).due([HOURLY], T0 + timedelta(hours=2)) == []
    assert set(store) == {"digest/desk"}  # the batch is gone, the index stays small


def test_nothing_is_dropped_or_doubled_across_buckets() -> None:
    store = JsonStore()
    digester = Digester(store)
    feed(digester, [alert("a1")], at=T0 + timedelta(minutes=5))
    feed(digester, [alert("b1", story_id="b1")], at=T0 + timedelta(minutes=65))
    first, _second = digester.due([HOURLY], T0 + timedelta(hours=3))
    digester.sent(first)
    feed(Digester(store), [alert("c1", story_id="c1")], at=T0 + timedelta(minutes=30))  # a clock gone back
    later = Digester(store).due([HOURLY], T0 + timedelta(hours=3))
    stories = [s.story_id for d in later for g in d.groups for s in g.stories]
    assert len(later) == 1 and sorted(stories) == ["b1", "c1"]
    assert first.start not in [d.start for d in later]  # a sent digest's id never comes back


def test_a_digest_is_bounded_and_says_how_many_were_left_out() -> None:
    digester = Digester(JsonStore(), max_entries=3)
    feed(digester, [alert(f"a{n}", story_id=f"a{n}") for n in range(10)])
    feed(digester, [alert(f"a{n}", story_id=f"a{n}") for n in range(10)])  # repeats are not counted again
    (digest,) = digester.due([HOURLY], T0 + timedelta(hours=1))
    assert (digest.story_count, digest.left_out) == (3, 7)


def test_a_batch_of_copies_only_is_forgotten() -> None:
    store = JsonStore()
    feed(Digester(store), [copy_event("a9", size=9)])
    assert Digester(store).due([HOURLY], T0 + timedelta(hours=1)) == []
    assert set(store) == {"digest/desk"}


def test_removing_digest_from_a_subscription_makes_its_batches_due_at_once() -> None:
    store = JsonStore()
    feed(Digester(store), [alert("a1")])
    immediate = subscription(spikes=True)
    assert len(Digester(store).due([immediate], T0 + timedelta(minutes=11))) == 1


def test_daily_buckets_start_at_midnight_utc() -> None:
    daily = subscription(digest_seconds=86400)
    digester = Digester(JsonStore())
    feed(digester, [alert("a1")], subscriptions=[daily])
    (digest,) = digester.due([daily], T0 + timedelta(days=1))
    assert digest.start == T0.replace(hour=0) and digest.end == T0.replace(hour=0) + timedelta(days=1)


def test_naive_times_are_refused() -> None:
    (entry,) = route(alert(), [HOURLY]).later
    with pytest.raises(ValueError, match="timezone-aware"):
        Digester(JsonStore()).add(entry, T0.replace(tzinfo=None))
