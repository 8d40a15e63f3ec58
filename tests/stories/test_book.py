"""StoryBook: one decision per article, kept in the store, repeated on a redelivery,
expired in event time, and rebuilt alike by a fresh book over the same store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newswatch.stories.book import StoryBook, StoryDecision
from newswatch.stories.exceptions import EventTimeWithoutZone
from newswatch.stories.fingerprint import Fingerprint, fingerprint
from tests.helpers.stores import JsonStore  # the store as the changelogged table keeps it

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
WIRE = "\n".join(
    [
        "The central bank raised its main interest rate by half a point on Tuesday, "
        "the largest increase in two decades.",
        "Officials said inflation had reached levels not seen since the early nineties "
        "and that more increases were likely.",
        "Markets had expected a smaller move, and the currency rose sharply against the dollar "
        "after the announcement.",
    ]
)
OTHER = "\n".join(
    [
        "Dock workers at the port stopped work on Monday morning after talks over a new wage "
        "agreement broke down.",
        "Container ships began queuing outside the harbour within hours, and two shipping lines "
        "diverted cargo.",
    ]
)


def _fp(body: str) -> Fingerprint:
    return fingerprint("", body)


def test_the_first_article_opens_a_story_and_its_copies_join_it() -> None:
    book = StoryBook(JsonStore())
    first = book.decide("wl", "a1", "Rates up", _fp(WIRE), T0)
    copy = book.decide(
        "wl", "a2", "UPDATE 1-Rates up", _fp("FRANKFURT (Wire) - " + WIRE + "\nRead more: Markets"), T0 + HOUR
    )
    other = book.decide("wl", "a3", "Port strike", _fp(OTHER), T0 + 2 * HOUR)
    assert (first.kind, first.story_id, first.size) == ("new", "a1", 1)
    assert copy == StoryDecision("wl", "a2", "a1", "copy", 2, "a1", "Rates up", T0, T0 + HOUR)
    assert (other.kind, other.story_id) == ("new", "a3")


def test_a_redelivered_article_gets_the_same_decision_and_never_copies_itself() -> None:
    book = StoryBook(JsonStore())
    first = book.decide("wl", "a1", "Rates up", _fp(WIRE), T0)
    book.decide("wl", "a2", "Rates up", _fp(WIRE), T0 + HOUR)
    # Again, after its copy: still "new", size 1, the size it had when first decided.
    assert book.decide("wl", "a1", "Rates up", _fp(WIRE), T0) == first
    assert book.decide("wl", "a2", "Rates up", _fp(WIRE), T0 + HOUR).size == 2
    assert book.decide("wl", "a3", "Rates up", _fp(WIRE), T0 + HOUR).size == 3


def test_watch_lists_keep_their_own_stories() -> None:
    book = StoryBook(JsonStore())
    book.decide("wl/a", "a1", "Rates up", _fp(WIRE), T0)
    assert book.decide("wl", "a2", "Rates up", _fp(WIRE), T0).kind == "new"
    assert book.decide("wl/a", "a2", "Rates up", _fp(WIRE), T0).kind == "copy"


def test_a_fresh_book_over_the_same_store_decides_alike() -> None:
    bodies = [
        WIRE,
        OTHER,
        WIRE + "\nThe decision was unanimous, the bank said in its statement on Tuesday.",
        OTHER,
        WIRE,
    ]
    store_a, store_b = JsonStore(), JsonStore()
    kept = StoryBook(store_a, window_seconds=6 * 3600)
    decisions_kept, decisions_fresh = [], []
    for n, body in enumerate(bodies * 3):
        when = T0 + n * HOUR
        decisions_kept.append(kept.decide("wl", f"a{n}", "t", _fp(body), when))
        # A new book for every article: the index is rebuilt from the store each time.
        decisions_fresh.append(
            StoryBook(store_b, window_seconds=6 * 3600).decide("wl", f"a{n}", "t", _fp(body), when)
        )
    assert decisions_fresh == decisions_kept
    assert store_a.data == store_b.data
    assert {d.kind for d in decisions_kept} == {"new", "copy"}


def test_stories_expire_a_window_after_their_last_event() -> None:
    store = JsonStore()
    book = StoryBook(store, window_seconds=72 * 3600)
    book.decide("wl", "a1", "Rates up", _fp(WIRE), T0)
    book.decide("wl", "a2", "Rates up", _fp(WIRE), T0 + 48 * HOUR)  # touched: lives on
    assert book.decide("wl", "a3", "Rates up", _fp(WIRE), T0 + 100 * HOUR).story_id == "a1"
    late = book.decide("wl", "a4", "Rates up", _fp(WIRE), T0 + 175 * HOUR)  # 75 h after the last copy
    assert (late.kind, late.story_id) == ("new", "a4")
    assert not any(key.endswith(("/a1", "/a2", "/a3")) for key in store.data)


def test_the_store_stays_bounded_over_a_long_timeline() -> None:
    store = JsonStore()
    book = StoryBook(store, window_seconds=24 * 3600)
    sizes = []
    for hour in range(24 * 20):
        for n in range(3):
            body = f"Report number {hour} {n}: " + OTHER if n else WIRE.replace("Tuesday", f"day {hour}")
            book.decide("wl", f"h{hour}-{n}", "t", _fp(body), T0 + hour * HOUR + n * timedelta(minutes=10))
        sizes.append(len(store))
    # After the first window, the store holds about one window of stories, no more.
    assert max(sizes[24 * 3 :]) <= max(sizes[24:48]) + 8
    assert max(sizes) < 3 * 26 * 3


def test_a_late_article_older_than_the_window_is_decided_then_expired() -> None:
    store = JsonStore()
    book = StoryBook(store, window_seconds=24 * 3600)
    book.decide("wl", "now", "t", _fp(OTHER), T0 + 100 * HOUR)
    old = book.decide("wl", "old", "t", _fp(WIRE), T0)
    assert old.kind == "new"
    book.decide("wl", "next", "t", _fp(OTHER + "\nMore."), T0 + 100 * HOUR)
    assert not any(key.endswith("/old") for key in store.data)


class CountingStore(JsonStore):
    """A JsonStore that notes every write, as the table's changelog would receive it."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[str, int]] = []

    def __setitem__(self, key: str, value: object) -> None:
        super().__setitem__(key, value)
        self.writes.append((key, len(self.data[key])))


def test_a_copy_costs_the_changelog_two_small_writes_however_big_its_story() -> None:
    store = CountingStore()
    book = StoryBook(store)
    book.decide("wl", "a0", "Rates up", _fp(WIRE), T0)
    per_copy = []
    for n in range(1, 300):
        before = len(store.writes)
        assert book.decide("wl", f"a{n}", "t", _fp(WIRE), T0 + n * timedelta(seconds=10)).kind == "copy"
        per_copy.append(len(store.writes) - before)
    # Its story's record and one chunk of its hour's decisions; the first copy of a new
    # hour also lists the story in that hour and moves the watermark.
    assert per_copy.count(2) == len(per_copy) - 1 and max(per_copy) <= 5, per_copy
    # Nothing grows with the story: the largest value written stays a few kilobytes.
    assert max(size for _, size in store.writes) < 4096


def test_an_opener_repeated_after_its_decision_expired_still_opened_its_story() -> None:
    book = StoryBook(JsonStore(), window_seconds=24 * 3600)
    first = book.decide("wl", "a1", "Rates up", _fp(WIRE), T0)
    book.decide("wl", "a2", "Rates up", _fp(WIRE), T0 + 20 * HOUR)
    book.decide("wl", "a3", "Rates up", _fp(WIRE), T0 + 40 * HOUR)  # a1's hour has expired; its story lives
    assert book.decide("wl", "a1", "Rates up", _fp(WIRE), T0) == first


def test_an_event_time_without_a_zone_is_refused_with_the_article() -> None:
    with pytest.raises(EventTimeWithoutZone) as refused:
        StoryBook(JsonStore()).decide("wl", "a1", "t", _fp(WIRE), datetime(2026, 3, 2))
    assert (refused.value.watchlist, refused.value.article_id) == ("wl", "a1")
