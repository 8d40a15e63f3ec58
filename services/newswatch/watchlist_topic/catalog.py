"""Which watch-lists are in force: the files' lists overlaid by the topic's, by name.

Pure decisions, no Kafka, no files:

- the file lists are the packaged defaults, or NEWSWATCH_WATCHLISTS when set;
- a list published on the topic replaces the file list of the same name, or adds one;
- a removal (tombstone) withdraws the topic's version only: the file's version of that
  name, if any, comes back. Compaction eventually deletes tombstones, so a removal can
  mean nothing else and still read the same to a worker that starts a year later;
- the topic's lists together stay within the limits of what one worker holds
  (rules/budget.py): a publish that would pass one is refused and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Literal

from newswatch.watchlist_topic.exceptions import BadWatchlistRecord
from newswatch.watchlist_topic.records import Published, Removed
from newswatch.watchlists import Watchlist
from newswatch.watchlists.rules.budget import CostTotals, list_cost

Origin = Literal["file", "topic"]


@dataclass(frozen=True, slots=True)
class FileList:
    """A watch-list read from a file, with the SHA-256 of the file's text."""

    watchlist: Watchlist
    sha256: str


@dataclass(frozen=True, slots=True)
class InForce:
    """One watch-list a worker tags with, where it comes from and which version it is."""

    watchlist: Watchlist
    origin: Origin
    sha256: str
    published_by: str | None = None
    published_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.watchlist.name

    @property
    def version(self) -> str:
        return self.watchlist.version


Refused = tuple[Published, str]  # a publish the limits turned away, and which limit


@dataclass(frozen=True)
class Catalog:
    """The valid lists on the topic, by name (the latest record of each), and what they hold
    together; never changed in place: `applied` gives the next catalog."""

    lists: Mapping[str, Published] = field(default_factory=lambda: MappingProxyType({}))
    totals: CostTotals = field(default_factory=CostTotals, compare=False, repr=False)

    def applied(self, changes: Iterable[Published | Removed]) -> tuple[Catalog, list[Refused]]:
        """The catalog after `changes`, in topic order (the last record of a name wins), and
        the publishes refused because the lists together would pass a limit of what one
        worker holds (rules/budget.py): those change nothing, the name keeps its version."""
        lists = dict(self.lists)
        totals = self.totals.copy()
        refused: list[Refused] = []
        for change in changes:
            held = lists.get(change.name)
            if isinstance(change, Removed):
                if held is not None:
                    totals.remove(list_cost(held.watchlist))
                    del lists[change.name]
                continue
            passed = totals.replace(
                None if held is None else list_cost(held.watchlist), list_cost(change.watchlist)
            )
            if passed is None:
                lists[change.name] = change
            else:
                refused.append((change, passed))
        return Catalog(MappingProxyType(lists), totals), refused


def in_force(files: Sequence[FileList], catalog: Catalog) -> list[InForce]:
    """The lists to tag with, by name: the topic's version of a name wins over the file's."""
    chosen: dict[str, InForce] = {
        item.watchlist.name: InForce(item.watchlist, "file", item.sha256) for item in files
    }
    for name, published in catalog.lists.items():
        record = published.record
        chosen[name] = InForce(
            published.watchlist, "topic", record.sha256, record.published_by, record.published_at
        )
    return [chosen[name] for name in sorted(chosen)]


def catalog_of(
    records: Iterable[Published | Removed | BadWatchlistRecord], catalog: Catalog | None = None
) -> tuple[Catalog, list[BadWatchlistRecord]]:
    """The catalog after `records` (from an empty one, or `catalog`) and the bad records, which
    change nothing: the name keeps the version it had. A publish the limits refuse is a bad
    record too (its reason says which limit), after the records that were bad to read."""
    bad: list[BadWatchlistRecord] = []
    changes: list[Published | Removed] = []
    for record in records:
        if isinstance(record, BadWatchlistRecord):
            bad.append(record)
        else:
            changes.append(record)
    applied, refused = (catalog or Catalog()).applied(changes)
    bad += [
        BadWatchlistRecord(published.topic, published.partition, published.offset, published.name, reason)
        for published, reason in refused
    ]
    return applied, bad
