"""Decide which story an alerted article belongs to, per watch-list, from a key-value store.

All of a watch-list's alerts reach one `StoryBook` in order (the wiring routes them by
watch-list), so membership is decided sequentially and deterministically there. The
store is the only state: a mapping of string keys to JSON-able values that the wiring
backs with a changelogged table. Keys start with their kind and the (quoted) watch-list:

    watchlist/<wl>                 {"watermark": t, "hours": [h, ...]}   live hour buckets
    hour/<wl>/<h>                  how many stories opened in hour h, and the lengths of:
    hour/<wl>/<h>/stories/<n>        the stories last touched in hour h, HOUR_CHUNK a key
    hour/<wl>/<h>/articles/<n>       the articles decided in hour h, HOUR_CHUNK a key
    story/<wl>/<story id>          first article, size, last event time, exact hashes
    prints/<wl>/<story id>         the fingerprints the story indexes
    article/<wl>/<article id>      the decision made for that article, returned again on a repeat

Every write is logged to the table's changelog, so no value grows with the traffic: the
lists of an hour are cut into chunks (appending rewrites one chunk, not the hour), and a
story's fingerprints (a few kilobytes) are written when they change, not with every copy.

Everything expires by event time, so the store holds about one window of a watch-list's
articles, however long a story lives: an article's record goes with its hour, except for
the few whose fingerprints the story indexes (they go with the story, so that a repeat of
them can never make them copies of themselves). A copy delivered again more than a window
after its event time is decided anew (at-least-once repeats come within seconds).

Times are event times in epoch seconds. The LSH index of a watch-list is derived from
the store: built on first use (after a restart or rebalance the wiring drops the book),
kept up to date while deciding, so a fresh book over the same store decides alike.
"""

from __future__ import annotations

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
# Ids per chunk of an hour's lists.
HOUR_CHUNK = 64

Store = MutableMapping[str, object]
Kind = Literal["new", "copy"]


class _Meta(TypedDict):
    watermark: float
    hours: list[int]


class _Bucket(TypedDict):
    opened: int
    stories: int
    articles: int


_Listed = Literal["stories", "articles"]


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


class StoryBook:
    """Stories of every watch-list, kept in `store`; stories whose last event is more than
    `window_seconds` before the watch-list's watermark (latest event time seen) are
    deleted while deciding, within the hour after they pass the window."""

    def __init__(self, store: Store, window_seconds: float = DEFAULT_WINDOW_SECONDS) -> None:
        self._store = store
        self._window = window_seconds
        self._indexes: dict[str, StoryIndex] = {}

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
        article_key = _key("article", watchlist, article_id)
        known = self._store.get(article_key)
        if known is not None:
            return _decision(watchlist, article_id, cast(_Article, known))
        when = event_time.timestamp()
        self.expire(watchlist, when)
        story_id = self._index(watchlist).best_match(fingerprint)
        if story_id is None:
            record = self._open(watchlist, article_id, title, fingerprint, when)
        else:
            record = self._join(watchlist, story_id, article_id, fingerprint, when)
        self._store[article_key] = record
        return _decision(watchlist, article_id, record)

    def expire(self, watchlist: str, event_time: float) -> int:
        """Move the watermark of `watchlist` to `event_time` (epoch seconds) if later and
        delete the stories that fall out of the window; returns how many. Amortised: each
        hour bucket is read once, when it expires."""
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
        """Hour buckets before this one are out of the window (-inf before any event)."""
        return math.floor((watermark - self._window) / HOUR) if math.isfinite(watermark) else -math.inf

    def stories_opened(self, watchlist: str, hour: datetime) -> int:
        """How many stories of `watchlist` opened in the hour of event time holding `hour`
        (0 once that hour has left the window)."""
        bucket = self._store.get(_key("hour", watchlist, str(math.floor(hour.timestamp() / HOUR))))
        return 0 if bucket is None else cast(_Bucket, bucket)["opened"]

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
        self._list_in_hour(watchlist, hour, story_id=article_id, article_id=article_id)
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
        moved = hour > story["hour"]
        story["hour"] = hour
        here = math.floor(when / HOUR)
        if moved and hour != here:
            self._list_in_hour(watchlist, hour, story_id=story_id)
        self._list_in_hour(
            watchlist, here, story_id=story_id if moved and hour == here else None, article_id=article_id
        )
        self._store[story_key] = story
        return _article_record("copy", story, when)

    def _list_in_hour(
        self, watchlist: str, hour: int, *, story_id: str | None = None, article_id: str | None = None
    ) -> None:
        """List a story (touched) and an article (decided) in `hour`: each rewrites one
        chunk, and the hour's counts are written once. A listed story that the hour does
        not list yet was opened in it when its id is the article's."""
        bucket_key = _key("hour", watchlist, str(hour))
        bucket = cast(_Bucket | None, self._store.get(bucket_key))
        if bucket is None:
            bucket = _Bucket(opened=0, stories=0, articles=0)
            meta = self._meta(watchlist)
            hours = sorted({*meta["hours"], hour})
            self._store[_key("watchlist", watchlist)] = _Meta(watermark=meta["watermark"], hours=hours)
        updated = _Bucket(opened=bucket["opened"], stories=bucket["stories"], articles=bucket["articles"])
        items: tuple[tuple[_Listed, str | None], ...] = (("stories", story_id), ("articles", article_id))
        for listed, item in items:
            if item is None:
                continue
            position = updated[listed]
            chunk_key = _key("hour", watchlist, str(hour), listed, str(position // HOUR_CHUNK))
            self._store[chunk_key] = [*cast(list[str], self._store.get(chunk_key, [])), item]
            updated[listed] = position + 1
        if story_id is not None and story_id == article_id:
            updated["opened"] += 1
        self._store[bucket_key] = updated

    def _listed_in_hour(self, watchlist: str, hour: int, bucket: _Bucket, listed: _Listed) -> list[str]:
        chunks = math.ceil(bucket[listed] / HOUR_CHUNK)
        keys = (_key("hour", watchlist, str(hour), listed, str(n)) for n in range(chunks))
        return [item for key in keys for item in cast(list[str], self._store.get(key, []))]

    def _expire_hour(self, watchlist: str, hour: int) -> int:
        bucket = cast(_Bucket | None, self._store.pop(_key("hour", watchlist, str(hour)), None))
        if bucket is None:
            return 0
        articles = self._listed_in_hour(watchlist, hour, bucket, "articles")
        stories = self._listed_in_hour(watchlist, hour, bucket, "stories")
        for listed in ("stories", "articles"):
            for n in range(math.ceil(bucket[listed] / HOUR_CHUNK)):
                self._store.pop(_key("hour", watchlist, str(hour), listed, str(n)), None)
        for article_id in articles:
            self._expire_article(watchlist, article_id)
        deleted = 0
        for story_id in stories:
            story_key = _key("story", watchlist, story_id)
            story = cast(_Story | None, self._store.get(story_key))
            # A story touched later is listed in a later bucket too, and expires with that one.
            if story is None or story["hour"] != hour:
                continue
            for entry in self._prints(watchlist, story_id):
                self._store.pop(_key("article", watchlist, entry["id"]), None)
            self._store.pop(_key("prints", watchlist, story_id), None)
            del self._store[story_key]
            if watchlist in self._indexes:
                self._indexes[watchlist].remove_story(story_id)
            deleted += 1
        return deleted

    def _expire_article(self, watchlist: str, article_id: str) -> None:
        article_key = _key("article", watchlist, article_id)
        article = cast(_Article | None, self._store.get(article_key))
        if article is None:
            return
        # An article the live story indexes stays with the story (see the module docstring).
        if all(entry["id"] != article_id for entry in self._prints(watchlist, article["story"])):
            del self._store[article_key]

    def _prints(self, watchlist: str, story_id: str) -> list[_Indexed]:
        return cast(list[_Indexed], self._store.get(_key("prints", watchlist, story_id), []))

    def _meta(self, watchlist: str) -> _Meta:
        meta = self._store.get(_key("watchlist", watchlist))
        return _Meta(watermark=-math.inf, hours=[]) if meta is None else cast(_Meta, meta)

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
            bucket = cast(_Bucket | None, self._store.get(_key("hour", watchlist, str(hour))))
            listed = [] if bucket is None else self._listed_in_hour(watchlist, hour, bucket, "stories")
            for story_id in listed:
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
