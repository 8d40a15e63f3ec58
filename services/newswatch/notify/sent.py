"""Which notifications were sent: the notifier's memory of ids, bounded by a window.

A pure ledger over a key-value store (the service backs it with the changelogged Faust
table `sent`; tests with a dict). Before sending, the service asks `was_sent(id)`; after
a destination accepted, it calls `record(id, now)`. A record read again after a crash
(at-least-once from Kafka) then finds its ids and sends nothing, except the notifications
that were in flight when the notifier died: delivered, but not yet recorded.

**Keys** (all of one partition's keys carry its number, see below):

    sent/<id>                 {"at": unix seconds}
    sent-hour/<p>/<hour>      [id, ...]            the ids recorded in that hour
    sent-hours/<p>            [hour, ...]          the hour buckets that partition holds

**Partitions.** Faust writes a table change to the changelog partition of the event being
processed. The ids of a partition's records are only ever checked and recorded while
processing that partition, so `sent/<id>` is always read where it was written. The
bucket lists are shared by every id of a partition, so each partition keeps its own:
two partitions writing one `sent-hours` key would overwrite each other in the changelog.

**Expiry** is in processing time, by hour buckets (plain tables have no TTL; windowed
tables are not used): `expire(now)` drops the buckets older than the window and their ids.
Values are never empty (a None on a changelog is a deletion; see `stories/store.py`).
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from datetime import datetime
from typing import cast

Store = MutableMapping[str, object]
HOUR_SECONDS = 3600


class SentLedger:
    """Sent notification ids, per source partition, kept `window_hours` in `store`."""

    def __init__(self, store: Store, window_hours: float) -> None:
        self._store = store
        self._window_seconds = window_hours * HOUR_SECONDS

    def was_sent(self, notification_id: str) -> bool:
        return _id_key(notification_id) in self._store

    def record(self, notification_id: str, partition: int, now: datetime) -> None:
        """Remember `notification_id` as sent at `now` (again: nothing changes)."""
        key = _id_key(notification_id)
        if key in self._store:
            return
        at = now.timestamp()
        hour = math.floor(at / HOUR_SECONDS)
        hours = _ints(self._store.get(_hours_key(partition)))
        if hour not in hours:
            self._store[_hours_key(partition)] = sorted([*hours, hour])
        bucket = _strings(self._store.get(_hour_key(partition, hour)))
        self._store[_hour_key(partition, hour)] = [*bucket, notification_id]
        self._store[key] = {"at": at}

    def expire(self, partition: int, now: datetime) -> int:
        """Forget the ids of `partition` recorded before the window; returns how many."""
        hours = _ints(self._store.get(_hours_key(partition)))
        # A bucket goes once all of its hour is older than the window.
        oldest_kept = math.floor((now.timestamp() - self._window_seconds) / HOUR_SECONDS)
        old = [hour for hour in hours if hour < oldest_kept]
        if not old:
            return 0
        forgotten = 0
        for hour in old:
            for notification_id in _strings(self._store.pop(_hour_key(partition, hour), None)):
                if self._store.pop(_id_key(notification_id), None) is not None:
                    forgotten += 1
        kept = [hour for hour in hours if hour >= oldest_kept]
        if kept:
            self._store[_hours_key(partition)] = kept
        else:
            self._store.pop(_hours_key(partition), None)
        return forgotten


def _id_key(notification_id: str) -> str:
    return f"sent/{notification_id}"


def _hours_key(partition: int) -> str:
    return f"sent-hours/{partition}"


def _hour_key(partition: int, hour: int) -> str:
    return f"sent-hour/{partition}/{hour}"


def _ints(value: object) -> list[int]:
    return [int(item) for item in cast(list[int], value or [])]


def _strings(value: object) -> list[str]:
    return [str(item) for item in cast(list[str], value or [])]
