"""The Faust adapter of the stories stage: story requests in; alerts with story ids,
story events, spikes and dead letters out; its state in the `stories` table.

All decisions live in `records.place_record`; this module moves bytes, counts, and owns
the state's wiring: the table, its changelog, and forgetting the derived index when
partitions move. Topology (docs/architecture.md): the tagger agent sends one request per
alert to `{app_id}-stories-by-watchlist` keyed by watch-list, so that all of a
watch-list's requests are read in order by one agent on one partition, and the table's
changelog writes for them land on that same partition of `{app_id}-stories-changelog`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import faust
from faust.types import EventT, FutureMessage, TopicT

from newswatch.contracts import utc_now
from newswatch.metrics import TaggerMetrics
from newswatch.settings import Settings
from newswatch.stories.records import StoryState, place_record
from newswatch.stories.store import TableStore
from newswatch.tables import memory_table
from newswatch.tagger.records import DEAD_LETTER_KEY_BYTES, DeadLettered, RecordOrigin
from newswatch.topics import raw_topic

# Faust names a table's changelog `{app_id}-{name}-changelog`: with this name it is
# `Settings.story_changelog_topic`, the topic `newswatch topics` creates (compacted).
TABLE_NAME = "stories"

logger = logging.getLogger(__name__)

LogFailure = Callable[[RecordOrigin, Exception, str], None]


class StoriesStage:
    """Registers on `app` the stories agent (concurrency 1), its topics and its table.

    Guarantees: the requests of a partition are placed one at a time in offset order; a
    request's alert, story event and spike are sent before its offset can be committed
    (at-least-once; a redelivered request gives the same story, see `records`); a request
    that fails becomes a `story_failed` dead letter and the agent goes on.
    """

    def __init__(
        self,
        app: faust.App,
        settings: Settings,
        metrics: TaggerMetrics,
        *,
        alerts: TopicT,
        dead_letters: TopicT,
        log_failure: LogFailure,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.alerts = alerts
        self.dead_letters = dead_letters
        self.log_failure = log_failure
        self.requests = raw_topic(app, settings.story_request_topic)
        self.stories = raw_topic(app, settings.stories_topic)
        self.spikes = raw_topic(app, settings.spikes_topic)
        # The memory store, not RocksDB: no rocksdict wheel to build and ship, and the state
        # is bounded (stories expire after NEWSWATCH_STORY_WINDOW_HOURS of event time, spike
        # buckets after a day), so reading the compacted changelog back at start-up or after
        # a rebalance is quick; RocksDB's local copy would only save that read.
        self.table = memory_table(
            app,
            TABLE_NAME,
            partitions=settings.topic_partitions,
            help="Stories and spike counts per watch-list (newswatch.stories).",
        )
        self.store = TableStore(self.table)
        # The book keeps an LSH index derived from the table; None: rebuild it on next use.
        self._state: StoryState | None = None
        app.agent(self.requests, name="newswatch.place_stories", concurrency=1)(self.place_stories)
        # After partitions move, the table holds other watch-lists (or newer state of ours,
        # recovered from the changelog): the index must be rebuilt from it. Revoked: stop
        # using it at once; rebalance complete: the table is recovered, streams resume next.
        app.on_partitions_revoked.connect(self._forget_index)
        app.on_rebalance_complete.connect(self._forget_index)

    def state(self) -> StoryState:
        if self._state is None:
            self._state = StoryState.over(self.store, self.settings)
        return self._state

    def _forget_index(self, sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        self._state = None

    async def place_stories(self, stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            await self.handle(event)

    async def handle(self, event: EventT[Any]) -> None:
        message = event.message
        origin = RecordOrigin(message.topic, message.partition, message.offset)
        # On the event loop, not in a thread: a table write goes to the changelog partition
        # of the event being processed, which Faust finds in a context variable of this task.
        # Placing one alert is an LSH lookup and a few comparisons (well under a millisecond).
        outcome = place_record(message.key, message.value, origin, self.state(), utc_now())
        if isinstance(outcome, DeadLettered):
            if outcome.failure is not None:
                self.log_failure(origin, outcome.failure, "story_failed")
            key = message.key[:DEAD_LETTER_KEY_BYTES] if message.key is not None else None
            await self.dead_letters.send(key=key, value=outcome.dead_letter.model_dump_json().encode())
            self.metrics.dead_letters.labels(reason="story_failed").inc()
            return
        # The request carries its article's Kafka timestamp (the tagger sends it so).
        produced_at = message.timestamp

        def on_delivered(_: FutureMessage) -> None:
            self.metrics.end_to_end_latency_seconds.observe(max(0.0, time.time() - produced_at))

        alert, story, spike = outcome.alert, outcome.story, outcome.spike
        await self.alerts.send(
            key=alert.article_id.encode(), value=alert.model_dump_json().encode(), callback=on_delivered
        )
        await self.stories.send(key=story.story_id.encode(), value=story.model_dump_json().encode())
        counter = self.metrics.stories_opened if story.kind == "new" else self.metrics.story_copies
        counter.labels(watchlist=story.watchlist).inc()
        if spike is not None:
            await self.spikes.send(key=spike.watchlist.encode(), value=spike.model_dump_json().encode())
            self.metrics.spikes.labels(watchlist=spike.watchlist).inc()
