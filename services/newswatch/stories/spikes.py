"""Decide whether one new story makes its watch-list spike: a surge far above its own baseline.

A spike is an hourly bucket (in event time) whose count of new stories is improbably high
for the watch-list's recent past: at least `min_count` stories, at least `min_ratio` times
the baseline, and a Poisson tail probability P(X >= count | baseline) at most
`sensitivity`. The baseline is the mean count of the `baseline_buckets` buckets before
the current one (missing buckets count as zero). After a spike the watch-list stays
silent until `cooldown_seconds` have passed since the last bucket that was above the
threshold, so one surge raises one spike however long it lasts. `docs/spikes.md` gives
the reasons and the measured behaviour.

Everything lives in a key-value store passed in (backed by a Faust table with a changelog
in the worker), so that a restart restores it; this module keeps nothing of its own:
- `spk|{watchlist}|{bucket_start}`: the bucket's count, digests of the story ids counted
  (for de-duplication, up to `max_ids_per_bucket`), its first stories (id, title) and
  the spike it raised, if any;
- `spkhead|{watchlist}`: the latest bucket seen and the latest bucket above the threshold.
Buckets older than the baseline are deleted as event time moves on, so the state of a
watch-list is at most `baseline_buckets + 1` buckets.

The caller must send every story event of one watch-list through one detector in order
(one partition): the decisions depend on that order, which is what makes a replay of the
same timeline raise the same spikes.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# Digests rather than ids: ids have no length limit, and 64 bits make a collision between
# the few hundred stories of one bucket vanishingly unlikely (about 1e-14).
_ID_DIGEST_HEX = 16
# A title quoted by a spike is for a human to recognise the story, not to read it.
TITLE_CHARS = 300


@dataclass(frozen=True, slots=True)
class SpikeParams:
    """How spikes are detected; the defaults are the ones measured in `docs/spikes.md`."""

    bucket_seconds: int = 3600
    # The previous 24 hours: long enough to average out Poisson noise, short enough to
    # follow a watch-list whose volume changes, and only 25 buckets of state.
    baseline_buckets: int = 24
    # The baseline is also at least the mean of the last few buckets, so that the daily
    # rise of a watch-list's volume (mornings) is not taken for a surge; 0 switches it off.
    recent_buckets: int = 3
    # Below this no count is a spike, whatever the baseline: 1 -> 3 is noise.
    min_count: int = 5
    # The largest Poisson tail probability that still counts as a spike: larger values
    # raise more spikes. Under 0.1 false spikes per watch-list per week at the default.
    sensitivity: float = 1e-4
    # News is burstier than Poisson at high volumes; a spike must also be this many
    # times the baseline.
    min_ratio: float = 2.0
    cooldown_seconds: int = 6 * 3600
    # No spike until a watch-list has been watched this many buckets (from its first new
    # story): a worker that starts, or a list that is new, has no baseline yet, and any
    # `min_count` stories in its first hour would otherwise look like a surge.
    warmup_buckets: int = 24
    # Stories quoted by a spike.
    max_stories: int = 20
    # Story ids remembered per bucket to ignore a redelivered story; past this the count
    # goes on without de-duplication (a bucket that large is far above any threshold).
    max_ids_per_bucket: int = 500

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be {rule} (got {value!r})"
            for name, value, ok, rule in (
                ("bucket_seconds", self.bucket_seconds, self.bucket_seconds > 0, "above 0"),
                ("baseline_buckets", self.baseline_buckets, self.baseline_buckets >= 1, "at least 1"),
                (
                    "recent_buckets",
                    self.recent_buckets,
                    0 <= self.recent_buckets <= self.baseline_buckets,
                    "between 0 and baseline_buckets",
                ),
                ("min_count", self.min_count, self.min_count >= 1, "at least 1"),
                ("sensitivity", self.sensitivity, 0 < self.sensitivity < 1, "between 0 and 1"),
                ("min_ratio", self.min_ratio, self.min_ratio >= 1, "at least 1"),
                ("cooldown_seconds", self.cooldown_seconds, self.cooldown_seconds >= 0, "0 or more"),
                ("warmup_buckets", self.warmup_buckets, self.warmup_buckets >= 0, "0 or more"),
                ("max_stories", self.max_stories, self.max_stories >= 1, "at least 1"),
                ("max_ids_per_bucket", self.max_ids_per_bucket, self.max_ids_per_bucket >= 0, "0 or more"),
            )
            if not ok
        ]
        if problems:
            raise ValueError("invalid spike settings: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class Spike:
    """A watch-list's surge in one bucket. `spike_id` depends on the watch-list and the
    bucket only: the same spike raised again (a redelivered event) has the same id."""

    spike_id: str
    watchlist: str
    window_start: datetime
    window_end: datetime
    count: int
    baseline: float
    stories: tuple[tuple[str, str], ...]


class SpikeDetector:
    """Counts new stories per watch-list and bucket in `store` and raises spikes."""

    def __init__(self, store: MutableMapping[str, object], params: SpikeParams | None = None) -> None:
        self.store = store
        self.params = params or SpikeParams()

    def observe(self, watchlist: str, story_id: str, title: str, event_time: datetime) -> Spike | None:
        """Count one new story of `watchlist` at `event_time` (aware) and return the spike
        it raises, if any.

        Call once per new story (not for copies), in the order of the watch-list's events.
        Idempotent: a story already counted in its bucket is not counted again, and if it
        was the one that raised the bucket's spike, that same spike is returned again (for
        the caller to re-send; consumers de-duplicate on `spike_id`).

        Late events: a story older than the latest bucket seen counts in its own bucket
        (later baselines see it) but raises no spike, since its bucket's moment has passed;
        one older than the baseline is ignored. Raises ValueError for a naive `event_time`.
        """
        if event_time.tzinfo is None or event_time.utcoffset() is None:
            raise ValueError(f"event_time must carry a time zone, got {event_time.isoformat()}")
        p = self.params
        start = math.floor(event_time.timestamp() / p.bucket_seconds) * p.bucket_seconds
        head_key = f"spkhead|{watchlist}"
        head = _mapping(self.store.get(head_key))
        current = int(head.get("bucket", start))
        since = min(int(head.get("since", start)), start)
        if start < current - p.baseline_buckets * p.bucket_seconds:
            return None  # older than any baseline still kept: it can change nothing
        if start > current:
            self._expire(watchlist, current, start)
        current = max(current, start)

        bucket_key = f"spk|{watchlist}|{start}"
        bucket = _mapping(self.store.get(bucket_key))
        digests: list[str] = list(bucket.get("ids", []))
        digest = hashlib.sha256(story_id.encode("utf-8", "surrogatepass")).hexdigest()[:_ID_DIGEST_HEX]
        if digest in digests:
            raised = _mapping(bucket.get("spike"))
            if raised.get("by") == digest:
                return _spike_from_state(watchlist, start, p.bucket_seconds, raised)
            return None
        count = int(bucket.get("count", 0)) + 1
        if len(digests) < p.max_ids_per_bucket:
            digests.append(digest)
        stories: list[list[str]] = list(bucket.get("stories", []))
        if len(stories) < p.max_stories:
            stories.append([story_id, title[:TITLE_CHARS]])
        bucket.update(count=count, ids=digests, stories=stories)

        spike = None
        hot = head.get("hot")
        warm = start - since >= p.warmup_buckets * p.bucket_seconds
        if start == current and warm and count >= p.min_count:
            baseline = self._baseline(watchlist, start)
            if is_spike(count, baseline, p):
                cooling = hot is not None and start < int(hot) + p.cooldown_seconds
                if not cooling and "spike" not in bucket:
                    spike = Spike(
                        spike_id=spike_id(watchlist, start),
                        watchlist=watchlist,
                        window_start=datetime.fromtimestamp(start, UTC),
                        window_end=datetime.fromtimestamp(start + p.bucket_seconds, UTC),
                        count=count,
                        baseline=baseline,
                        stories=tuple((sid, t) for sid, t in stories),
                    )
                    bucket["spike"] = {
                        "by": digest,
                        "count": count,
                        "baseline": baseline,
                        "stories": list(stories),
                    }
                # Every bucket above the threshold extends the cool-down, spike or not: a
                # surge that goes on for hours is still the one surge.
                hot = start
        self.store[bucket_key] = bucket
        new_head = {"bucket": current, "hot": hot, "since": since}
        if new_head != head:  # most new stories change no head: spare the changelog a write
            self.store[head_key] = new_head
        return spike

    def _baseline(self, watchlist: str, start: int) -> float:
        p = self.params
        counts = [
            int(_mapping(self.store.get(f"spk|{watchlist}|{start - n * p.bucket_seconds}")).get("count", 0))
            for n in range(1, p.baseline_buckets + 1)
        ]
        baseline = sum(counts) / p.baseline_buckets
        if p.recent_buckets:
            baseline = max(baseline, sum(counts[: p.recent_buckets]) / p.recent_buckets)
        return baseline

    def _expire(self, watchlist: str, old_head: int, new_head: int) -> None:
        """Delete the buckets that moving the latest bucket from `old_head` to `new_head`
        puts out of every baseline. Kept buckets all lie in [old_head - horizon, old_head],
        so at most `baseline_buckets + 1` keys are visited however far time jumps."""
        p = self.params
        horizon = p.baseline_buckets * p.bucket_seconds
        stop = min(old_head, new_head - horizon - p.bucket_seconds)
        for start in range(old_head - horizon, stop + 1, p.bucket_seconds):
            self.store.pop(f"spk|{watchlist}|{start}", None)


def is_spike(count: int, baseline: float, params: SpikeParams) -> bool:
    """Whether `count` stories in one bucket are a spike against a `baseline` mean."""
    return (
        count >= params.min_count
        and count >= params.min_ratio * baseline
        and poisson_tail(count, baseline) <= params.sensitivity
    )


def poisson_tail(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean).

    Summed upwards from `count` in log space, which stays exact for the tiny tails that
    matter here (where 1 - P(X < count) would cancel to 0). Only counts above the mean
    are asked about; below it the tail is large and 1.0 is a safe answer."""
    if count <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if count <= mean:
        return 1.0
    term = math.exp(-mean + count * math.log(mean) - math.lgamma(count + 1))
    total = 0.0
    k = count
    # Terms shrink by mean/(k+1) < 1 from here on; stop once they no longer change the sum.
    while term > total * 1e-15 and term > 0:
        total += term
        k += 1
        term *= mean / k
    return min(total, 1.0)


def spike_id(watchlist: str, bucket_start: int) -> str:
    return hashlib.sha256(f"spike|{watchlist}|{bucket_start}".encode("utf-8", "surrogatepass")).hexdigest()[
        :32
    ]


def _spike_from_state(watchlist: str, start: int, bucket_seconds: int, raised: dict[str, Any]) -> Spike:
    window_start = datetime.fromtimestamp(start, UTC)
    return Spike(
        spike_id=spike_id(watchlist, start),
        watchlist=watchlist,
        window_start=window_start,
        window_end=window_start + timedelta(seconds=bucket_seconds),
        count=int(raised["count"]),
        baseline=float(raised["baseline"]),
        stories=tuple((str(sid), str(t)) for sid, t in raised["stories"]),
    )


def _mapping(value: object) -> dict[str, Any]:
    # Values come back from the store as JSON decoded them; a copy, so that edits are ours.
    return dict(value) if isinstance(value, dict) else {}
