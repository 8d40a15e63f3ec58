"""The sent-id ledger: remembered, idempotent, per partition, forgotten after the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newswatch.notify.sent import SentLedger
from newswatch.stories.store import TableStore

T0 = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)


def test_recorded_ids_are_sent_and_recording_again_changes_nothing() -> None:
    store: dict[str, object] = {}
    ledger = SentLedger(TableStore(store), window_hours=2)
    assert not ledger.was_sent("n1")
    ledger.record("n1", 0, T0)
    snapshot = dict(store)
    ledger.record("n1", 0, T0 + timedelta(minutes=5))
    assert ledger.was_sent("n1") and store == snapshot


def test_a_fresh_ledger_over_the_same_store_remembers() -> None:
    store: dict[str, object] = {}
    SentLedger(TableStore(store), window_hours=2).record("n1", 3, T0)
    assert SentLedger(TableStore(store), window_hours=2).was_sent("n1")


def test_ids_expire_by_hour_bucket_after_the_window_per_partition() -> None:
    store: dict[str, object] = {}
    ledger = SentLedger(TableStore(store), window_hours=2)
    ledger.record("old", 0, T0)
    ledger.record("other-partition", 1, T0)
    ledger.record("new", 0, T0 + timedelta(hours=2))
    assert ledger.expire(0, T0 + timedelta(hours=2)) == 0, "10:30 is within 2 h of 12:30"
    assert ledger.expire(0, T0 + timedelta(hours=3, minutes=30)) == 1
    assert not ledger.was_sent("old")
    assert ledger.was_sent("new") and ledger.was_sent("other-partition")
    assert ledger.expire(0, T0 + timedelta(days=1)) == 1
    assert not any(key.startswith(("sent-hours/0", "sent-hour/0/")) for key in store)
    assert ledger.was_sent("other-partition"), "another partition expires when its own records come"


def test_partitions_keep_their_own_bucket_keys() -> None:
    # Faust logs a write to the changelog partition of the event: two partitions must
    # never write the same key, or one would overwrite the other's list.
    store: dict[str, object] = {}
    ledger = SentLedger(TableStore(store), window_hours=2)
    ledger.record("a", 0, T0)
    ledger.record("b", 1, T0)
    lists = sorted(key for key in store if not key.startswith("sent/"))
    assert lists == ["sent-hour/0/492322", "sent-hour/1/492322", "sent-hours/0", "sent-hours/1"]
