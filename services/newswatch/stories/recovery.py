"""Faust's table recovery, with the stream partitions seeked before any of their records flows.

faust-streaming 0.15.3, `Recovery.on_recovery_completed`: once the `stories` table is read
back from its changelog (with the fetcher running, since reading it needs the fetcher), it
resumes the stream partitions (articles, story requests), then awaits the seek to their
committed offsets, and only then resumes the flow, which clears the streams' queues. Records
fetched in that window reach the agents' queues and move the consumer's read offset; the
seek then puts the read offset back to the committed one while the fetcher goes on with the
batch it already holds, and Faust takes the jump as a gap (`Consumer._add_gap`), i.e. as
acked; the queued records are cleared unhandled; aiokafka's re-fetch from the committed
offset is dropped as already read. The next commit then moves past records no agent
handled: alerts lost without a story request (tests/integration/test_faults.py, SIGTERM with
stories on: the next worker's recovery). Without a table (stories off) the fetcher starts
after the seek and none of this happens.

Suspending the flow first holds the conductor (it awaits the flow before it delivers a
record, and the fetcher waits for it) until Faust's own `flow_control.resume()` at the end,
after the seek: the first record delivered is then the one at the committed offset.
"""

from __future__ import annotations

from typing import cast

from faust.tables import TableManager
from faust.tables.recovery import Recovery
from faust.transport.consumer import ThreadDelegateConsumer


class SeekFirstRecovery(Recovery):
    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        self.app.flow_control.suspend()
        await self._from_the_beginning_where_nothing_is_committed()
        await super().on_recovery_completed(generation_id)

    async def _from_the_beginning_where_nothing_is_committed(self) -> None:
        """Faust's seek moves only the partitions that have a committed offset (aiokafka's
        `seek_to_committed` skips the others), so a read offset moved while recovering
        stays where it is for them: the notifier that replaced one killed before its first
        commit once read nothing at all. With no committed offset, a partition is read from
        its beginning, as `consumer_auto_offset_reset="earliest"` says."""
        # The aiokafka driver's consumer (ConsumerT declares neither of these).
        consumer = cast(ThreadDelegateConsumer, self.app.consumer)
        streams = {tp for tp in consumer.assignment() if not self._is_changelog_tp(tp)}
        if not streams:
            return
        committed = await consumer.seek_to_committed()
        fresh = sorted(tp for tp in streams if not committed.get(tp))
        if fresh:
            self.log.info(
                "nothing committed yet, read from the beginning: %s",
                ", ".join(f"{tp.topic}[{tp.partition}]" for tp in fresh),
            )
            for tp, offset in (await consumer.earliest_offsets(*fresh)).items():
                await consumer.seek(tp, offset)


class SeekFirstTableManager(TableManager):
    """Faust's table manager with `SeekFirstRecovery` (the `TableManager` app setting)."""

    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = SeekFirstRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery
