"""The digest topic's records: entries keyed by subscription, read back as the same entry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newswatch.notify.digest import Digester
from newswatch.notify.digest_records import entry_record, read_digest_record, tick_record
from newswatch.notify.records import Unreadable
from newswatch.notify.routing import route
from tests.helpers.stores import JsonStore
from tests.notify.records import T0, alert, copy_event, spike, subscription

HOURLY = subscription(digest_seconds=3600, spikes=True)


def test_entries_and_ticks_go_by_subscription_and_read_back_the_same() -> None:
    entries = [
        entry
        for record in (alert("a1"), copy_event("a2"), spike())
        for entry in route(record, [HOURLY]).later
    ]
    assert [entry.subject for entry in entries] == ["story", "copy", "spike"]
    for entry in entries:
        key, value = entry_record(entry)
        assert key == b"desk" == tick_record("desk")[0]  # one key: one partition, one batch
        assert read_digest_record(value).entry(HOURLY) == entry
    tick = read_digest_record(tick_record("desk")[1])
    assert (tick.subscription, tick.entry(HOURLY)) == ("desk", None)


def test_a_digest_from_records_read_back_equals_one_from_the_entries() -> None:
    direct, wired = Digester(JsonStore()), Digester(JsonStore())
    for record in (alert("a1"), copy_event("a2", size=2), spike(), alert("b1", story_id="b1")):
        for entry in route(record, [HOURLY]).later:
            direct.add(entry, T0)
            read = read_digest_record(entry_record(entry)[1]).entry(HOURLY)
            assert read is not None
            wired.add(read, T0)
    assert wired.due([HOURLY], T0 + timedelta(hours=1)) == direct.due([HOURLY], T0 + timedelta(hours=1))


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "an empty value"),
        (b"{}", "subscription"),
        (b'{"subscription": "desk", "subject": "story"}', "a subject and one record"),
    ],
)
def test_unreadable_records_say_why(value: bytes | None, reason: str) -> None:
    with pytest.raises(Unreadable, match=reason):
        read_digest_record(value)


def test_has_due_only_reads_and_agrees_with_due() -> None:
    store = JsonStore()
    digester = Digester(store)
    assert not digester.has_due(HOURLY, T0)
    for entry in route(alert("a1"), [HOURLY]).later:
        digester.add(entry, T0 + timedelta(minutes=5))
    before = dict(store.data)
    assert not digester.has_due(HOURLY, T0 + timedelta(minutes=59))
    assert digester.has_due(HOURLY, T0 + timedelta(hours=1))
    assert store.data == before
    assert digester.has_due(subscription(), T0)  # the digest was removed: due at once
    (digest,) = digester.due([HOURLY], T0 + timedelta(hours=1))
    assert digest.size == 1
    digester.sent(digest)
    assert not digester.has_due(HOURLY, T0 + timedelta(hours=5))
