"""The stories stage's one store: the `stories` table seen as the mapping the core takes.

`StoryBook` and `SpikeDetector` read and write plain string keys and JSON values through
`get`, `[]`, `[]=`, `del` and `pop`; they never iterate the store (the book rebuilds its
index from the hour buckets it lists) and never mutate a value they read: every change
is a new value assigned, which is what a Faust table needs to log it to its changelog.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any


class EmptyValueError(ValueError):
    """A value the table could not restore as written."""


class TableStore(MutableMapping[str, object]):
    """`table` (a Faust `Table`, or a dict in tests and offline) as the core's store.

    Refuses empty values (None, {}, [], "", 0): on the changelog a None value is a
    deletion, and when Faust's memory store recovers a batch holding a key's deletion and
    a later write, it keeps the key only if the written value is truthy. What is written
    must read back the same after a restart.
    """

    def __init__(self, table: MutableMapping[Any, Any]) -> None:
        self._table = table

    def __getitem__(self, key: str) -> object:
        return self._table[key]

    def __setitem__(self, key: str, value: object) -> None:
        if not value:
            raise EmptyValueError(f"the stories table cannot keep the empty value {value!r} (key {key!r})")
        self._table[key] = value

    def __delitem__(self, key: str) -> None:
        del self._table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, key: object) -> bool:
        return key in self._table
