"""Decide which story an alerted article belongs to, per watch-list, from a key-value store.

All of a watch-list's alerts reach one `StoryBook` in order (the wiring routes them by
watch-list), so membership is decided sequentially and deterministically there. The
store is the only state: a mapping of string keys to JSON-able values that the wiring
backs with a changelogged table. Keys start with their kind and the (quoted) watch-list:

    watchlist/<wl>                 {"watermark": t, "hours": [h, ...]}   live hours
    hour/<wl>/<h>/stories/<n>      stories last touched in hour h, HOUR_CHUNK a key
    hour/<wl>/<h>/articles/<n>     the decisions made for the articles of hour h, by
                                   article id, HOUR_CHUNK a key (returned again on a repeat)
    story/<wl>/<story id>          first article, size, last event time, exact hashes
    prints/<wl>/<story id>         the fingerprints the story indexes

Every write goes to the table's changelog, so a copy writes two values (its story and
one chunk of its hour) and none grows with the traffic: an hour's decisions are cut into
chunks, and a story's fingerprints (a few kilobytes) are written when they change.

Everything expires by event time, so the store holds about one window of a watch-list's
articles, however long a story lives: an article's decision goes with its hour. A copy
delivered again more than a window after its event time is decided anew (at-least-once
repeats come within seconds); it joins its own story again, and a story's first article
is recognised as such, so an article never becomes a copy of itself.

Times are event times in epoch seconds. What the book keeps in memory is derived from
the store: built on first use (after a restart or rebalance the wiring drops the book),
kept up to date while deciding, so a fresh book over the same store decides alike. That
is, per watch-list, the LSH index of its stories and where each live decision is.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypedDict, cast
from urllib.parse import quote

from newswatch.stories.exceptions import EventTimeWithoutZone
from newswatch.stories.fingerprint import Fingerprint
from newswatch.stories.index import StoryIndex

HOUR = 3600
DEFAULT_WINDOW_SECONDS = 72 * HOUR
# Fingerprints kept per story for matching: the first article and the first copies that
# are not exact (an "UPDATE" with paragraphs added matches its own later copies best).
MAX_INDEXED = 4
# Distinct exact hashes kept per story; exact copies of the others still match by MinHash.
MAX_EXACT = 32
# Entries per chunk of an hour's lists: a chunk of decisions is at most a few kilobytes.
HOUR_CHUNK = 16

Store = MutableMapping[str, object]
Kind = Literal["new", "copy"]
_Listed = Literal["stories", "articles"]


class _Meta(TypedDict):
    watermark: float
    hours: list[int]


class _Indexed(TypedDict):
    id: str
    fp: dict[str, object]


class _Story(TypedDict):
    first_id: str
    first_title: str
    first_time: float
    size: int
    last: float
    hour: int
    exact: list[str]


class _Article(TypedDict):
    story: str
    kind: Kind
    size: int
    time: float
    first_id: str
    first_title: str
    first_time: float


@dataclass(frozen=True, slots=True)
class StoryDecision:
    """Where one article of one watch-list went: the story it opened (`new`) or joined
    (`copy`), the story's size counting this article, and the story's first article."""

    watchlist: str
    article_id: str
    story_id: str
    kind: Kind
    size: int
    first_article_id: str
    first_title: str
    first_time: datetime
    event_time: datetime


@dataclass
class _Hours:
    """Derived from a watch-list's hour chunks: how long each list of each live hour is,
    and which chunk holds each live article's decision."""

    lengths: dict[tuple[int, _Listed], int]
    chunk_of: dict[str, str]


class StoryBook:
    """Stories of every watch-list, kept in `store`; stories whose last event is more than
    `window_seconds` before the watch-list's watermark (latest event time seen) are
    deleted while deciding, within the hour after they pass the window."""

    def __init__(self, store: Store, window_seconds: float = DEFAULT_WINDOW_SECONDS) -> None:
        self._store = store
        self._window = window_seconds
        self._indexes: dict[str, StoryIndex] = {}
        self._hours: dict[str, _Hours] = {}

    def decide(
        self, watchlist: str, article_id: str, title: str, fingerprint: Fingerprint, event_time: datetime
    ) -> StoryDecision:
        """The story of `article_id` in `watchlist`: a new one, or the one it is a copy of.

        Deciding the same article again returns the first decision unchanged (at-least-once
        delivery), so an article is never a copy of itself. Raises `EventTimeWithoutZone`
        for a naive `event_time`.
        """
        if event_time.tzinfo is None:
            raise EventTimeWithoutZone(watchlist, article_id)
        known = self._decided(watchlist, article_id)
        if known is not None:
            return _decision(watchlist, article_id, known)
        when = event_time.timestamp()
        self.expire(watchlist, when)
        story_id = self._index(watchlist).best_match(fingerprint)
        if story_id is None:
            record = self._open(watchlist, article_id, title, fingerprint, when)
        elif story_id == article_id:
            # Its own story, its decision long expired (a repeat more than a window late).
            story = cast(_Story, self._store[_key("story", watchlist, story_id)])
            record = _article_record("new", {**story, "size": 1}, story["first_time"])
        else:
            record = self._join(watchlist, story_id, article_id, fingerprint, when)
        self._list_in_hour(watchlist, math.floor(when / HOUR), "articles", article_id, record)
        return _decision(watchlist, article_id, record)

    def expire(self, watchlist: str, event_time: float) -> int:
        """Move the watermark of `watchlist` to `event_time` (epoch seconds) if later and
        delete the stories that fall out of the window; returns how many. Amortised: each
        hour is read once, when it expires."""
        meta = self._meta(watchlist)
        watermark = max(meta["watermark"], event_time)
        hours = list(meta["hours"])
        cutoff_hour = self._cutoff_hour(watermark)
        deleted = 0
        while hours and hours[0] < cutoff_hour:
            deleted += self._expire_hour(watchlist, hours.pop(0))
        # Only the cutoff hour of the watermark decides anything: the watermark is written
        # when that moves (about once an hour), not with every article's event time.
        if cutoff_hour != self._cutoff_hour(meta["watermark"]) or hours != meta["hours"]:
            self._store[_key("watchlist", watchlist)] = _Meta(watermark=watermark, hours=hours)
        return deleted

    def _cutoff_hour(self, watermark: float) -> float:
        """Hours before this one are out of the window (-inf before any event)."""
        return math.floor((watermark - self._window) / HOUR) if math.isfinite(watermark) else -math.inf

    def _open(
        self, watchlist: str, article_id: str, title: str, fingerprint: Fingerprint, when: float
    ) -> _Article:
        hour = math.floor(when / HOUR)
        story = _Story(
            first_id=article_id,
            first_title=title,
            first_time=when,
            size=1,
            last=when,
            hour=hour,
            exact=[fingerprint.exact] if fingerprint.exact else [],
        )
        self._store[_key("story", watchlist, article_id)] = story
        self._store[_key("prints", watchlist, article_id)] = [
            _Indexed(id=article_id, fp=fingerprint.to_json())
        ]
        self._list_in_hour(watchlist, hour, "stories", article_id)
        self._index(watchlist).add(article_id, article_id, fingerprint)
        return _article_record("new", story, when)

    def _join(
        self, watchlist: str, story_id: str, article_id: str, fingerprint: Fingerprint, when: float
    ) -> _Article:
        story_key = _key("story", watchlist, story_id)
        # A copy, not the stored value: a table must see the assignment to log the change.
        story = cast(_Story, dict(cast(_Story, self._store[story_key])))
        story["size"] += 1
        story["last"] = max(story["last"], when)
        index = self._index(watchlist)
        if fingerprint.exact and fingerprint.exact not in story["exact"]:
            if len(story["exact"]) < MAX_EXACT:
                story["exact"] = [*story["exact"], fingerprint.exact]
                index.add_exact(story_id, fingerprint.exact)
            prints = self._prints(watchlist, story_id)
            if len(prints) < MAX_INDEXED:
                entry = _Indexed(id=article_id, fp=fingerprint.to_json())
                self._store[_key("prints", watchlist, story_id)] = [*prints, entry]
                index.add(story_id, article_id, fingerprint)
        hour = math.floor(story["last"] / HOUR)
        if hour > story["hour"]:
            story["hour"] = hour
            self._list_in_hour(watchlist, hour, "stories", story_id)
        self._store[story_key] = story
        return _article_record("copy", story, when)

    def _decided(self, watchlist: str, article_id: str) -> _Article | None:
        chunk_key = self._live_hours(watchlist).chunk_of.get(article_id)
        if chunk_key is None:
            return None
        return cast(dict[str, _Article], self._store[chunk_key])[article_id]

    def _list_in_hour(
        self, watchlist: str, hour: int, listed: _Listed, item: str, record: _Article | None = None
    ) -> None:
        """Append a story (touched in `hour`) or an article's decision (`record`) to the
        hour's list: one chunk is rewritten."""
        live = self._live_hours(watchlist)
        meta = self._meta(watchlist)
        if hour not in meta["hours"]:
            hours = sorted({*meta["hours"], hour})
            self._store[_key("watchlist", watchlist)] = _Meta(watermark=meta["watermark"], hours=hours)
        position = live.lengths.get((hour, listed), 0)
        chunk_key = _chunk_key(watchlist, hour, listed, position // HOUR_CHUNK)
        if record is None:
            self._store[chunk_key] = [*cast(list[str], self._store.get(chunk_key, [])), item]
        else:
            self._store[chunk_key] = {
                **cast(dict[str, _Article], self._store.get(chunk_key, {})),
                item: record,
            }
            live.chunk_of[item] = chunk_key
        live.lengths[(hour, listed)] = position + 1

    def _chunks(self, watchlist: str, hour: int, listed: _Listed) -> list[tuple[str, object]]:
        """The chunks of one list of `hour`, in order: (key, value)."""
        chunks: list[tuple[str, object]] = []
        for n in itertools.count():
            chunk_key = _chunk_key(watchlist, hour, listed, n)
            chunk = self._store.get(chunk_key)
            if chunk is None:
                return chunks
            chunks.append((chunk_key, chunk))
        raise AssertionError("unreachable")

    def _expire_hour(self, watchlist: str, hour: int) -> int:
        live = self._live_hours(watchlist)
        for chunk_key, chunk in self._chunks(watchlist, hour, "articles"):
            for article_id in cast(dict[str, _Article], chunk):
                if live.chunk_of.get(article_id) == chunk_key:
                    del live.chunk_of[article_id]
            del self._store[chunk_key]
        stories = self._chunks(watchlist, hour, "stories")
        deleted = 0
        for chunk_key, chunk in stories:
            for story_id in cast(list[str], chunk):
                deleted += self._expire_story(watchlist, story_id, hour)
            del self._store[chunk_key]
        for listed in ("stories", "articles"):
            live.lengths.pop((hour, listed), None)
        return deleted

    def _expire_story(self, watchlist: str, story_id: str, hour: int) -> int:
        story_key = _key("story", watchlist, story_id)
        story = cast(_Story | None, self._store.get(story_key))
        # A story touched later is listed in a later hour too, and expires with that one.
        if story is None or story["hour"] != hour:
            return 0
        self._store.pop(_key("prints", watchlist, story_id), None)
        del self._store[story_key]
        if watchlist in self._indexes:
            self._indexes[watchlist].remove_story(story_id)
        return 1

    def _prints(self, watchlist: str, story_id: str) -> list[_Indexed]:
        return cast(list[_Indexed], self._store.get(_key("prints", watchlist, story_id), []))

    def _meta(self, watchlist: str) -> _Meta:
        meta = self._store.get(_key("watchlist", watchlist))
        return _Meta(watermark=-math.inf, hours=[]) if meta is None else cast(_Meta, meta)

    def _live_hours(self, watchlist: str) -> _Hours:
        live = self._hours.get(watchlist)
        if live is None:
            live = self._hours[watchlist] = _Hours(lengths={}, chunk_of={})
            for hour in self._meta(watchlist)["hours"]:
                stories = self._chunks(watchlist, hour, "stories")
                articles = self._chunks(watchlist, hour, "articles")
                live.lengths[(hour, "stories")] = sum(len(cast(list[str], chunk)) for _, chunk in stories)
                live.lengths[(hour, "articles")] = sum(len(cast(dict[str, _Article], c)) for _, c in articles)
                for chunk_key, chunk in articles:
                    live.chunk_of.update(dict.fromkeys(cast(dict[str, _Article], chunk), chunk_key))
        return live

    def _index(self, watchlist: str) -> StoryIndex:
        index = self._indexes.get(watchlist)
        if index is None:
            index = self._indexes[watchlist] = self._rebuild(watchlist)
        return index

    def _rebuild(self, watchlist: str) -> StoryIndex:
        """The index of `watchlist` from the store: the stories listed in its live hours."""
        index = StoryIndex()
        seen: set[str] = set()
        for hour in self._meta(watchlist)["hours"]:
            for _, chunk in self._chunks(watchlist, hour, "stories"):
                for story_id in cast(list[str], chunk):
                    story = cast(_Story | None, self._store.get(_key("story", watchlist, story_id)))
                    if story_id in seen or story is None:
                        continue
                    seen.add(story_id)
                    for entry in self._prints(watchlist, story_id):
                        index.add(story_id, entry["id"], Fingerprint.from_json(entry["fp"]))
                    for exact in story["exact"]:
                        index.add_exact(story_id, exact)
        return index


def _key(kind: str, watchlist: str, *rest: str) -> str:
    # The watch-list is quoted so that a "/" in it cannot make two keys collide.
    return "/".join((kind, quote(watchlist, safe=""), *rest))


def _chunk_key(watchlist: str, hour: int, listed: _Listed, n: int) -> str:
    return _key("hour", watchlist, str(hour), listed, str(n))


def _article_record(kind: Kind, story: _Story, when: float) -> _Article:
    return _Article(
        story=story["first_id"],
        kind=kind,
        size=story["size"],
        time=when,
        first_id=story["first_id"],
        first_title=story["first_title"],
        first_time=story["first_time"],
    )


def _decision(watchlist: str, article_id: str, record: _Article) -> StoryDecision:
    return StoryDecision(
        watchlist=watchlist,
        article_id=article_id,
        story_id=record["story"],
        kind=record["kind"],
        size=record["size"],
        first_article_id=record["first_id"],
        first_title=record["first_title"],
        first_time=datetime.fromtimestamp(record["first_time"], UTC),
        event_time=datetime.fromtimestamp(record["time"], UTC),
    )
