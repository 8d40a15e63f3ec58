"""Spikes: a watch-list's new stories far above its own baseline, raised once per surge."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from newswatch.stories.spikes import Spike, SpikeDetector, SpikeParams, poisson_tail, spike_id
from tests.helpers.stores import JsonStore

T0 = datetime(2026, 3, 2, tzinfo=UTC)  # a bucket start
HOUR = timedelta(hours=1)


Event = tuple[str, str, datetime]


def hourly(start: datetime, hours: int, per_hour: int, prefix: str) -> list[Event]:
    """`per_hour` stories spread evenly over each of `hours` hours from `start`."""
    return [
        (f"{prefix}-{h}-{n}", f"title {prefix} {h} {n}", start + h * HOUR + n * HOUR / per_hour)
        for h in range(hours)
        for n in range(per_hour)
    ]


def feed(detector: SpikeDetector, events: list[Event], watchlist: str = "ports") -> list[Spike]:
    return [
        spike
        for story_id, title, at in events
        if (spike := detector.observe(watchlist, story_id, title, at)) is not None
    ]


def detector(**changes: object) -> SpikeDetector:
    """A detector with no warm-up, so that each test's timeline can start at its burst."""
    params = replace(SpikeParams(warmup_buckets=0), **changes)  # type: ignore[arg-type]
    return SpikeDetector(JsonStore(), params)


def test_no_spike_before_a_watchlist_has_a_full_baseline_behind_it() -> None:
    # A worker that starts (or a new list) has no history: its first busy hour is no surge.
    spikes = SpikeDetector(JsonStore(), SpikeParams())
    assert feed(spikes, hourly(T0, 1, 30, "first-hour")) == []
    assert feed(spikes, hourly(T0 + 1 * HOUR, 23, 1, "quiet")) == []
    [spike] = feed(spikes, hourly(T0 + 24 * HOUR, 1, 30, "burst"))
    assert spike.window_start == T0 + 24 * HOUR


def test_a_quiet_baseline_then_a_burst_raises_exactly_one_spike_at_the_burst() -> None:
    spikes = detector()
    quiet = hourly(T0, 30, 2, "quiet")
    burst_start = T0 + 30 * HOUR
    burst = hourly(burst_start, 1, 15, "burst")
    assert feed(spikes, quiet) == []

    raised = [(n, s) for n, e in enumerate(burst) if (s := feed(spikes, [e]))]
    assert len(raised) == 1
    n, [spike] = raised[0]
    # Baseline 2 per hour: 10 is the first count with P(X >= count) <= 1e-4.
    assert n == 9 and spike.count == 10
    assert spike.baseline == 2.0
    assert spike.window_start == burst_start and spike.window_start.tzinfo is not None
    assert spike.window_end == burst_start + HOUR
    assert spike.stories == tuple((sid, title) for sid, title, _ in burst[:10])
    assert spike.spike_id == spike_id("ports", int(burst_start.timestamp()))


def test_one_to_three_is_not_a_spike() -> None:
    spikes = detector()
    assert feed(spikes, hourly(T0, 30, 1, "quiet") + hourly(T0 + 30 * HOUR, 1, 3, "more")) == []


def test_an_empty_baseline_needs_min_count() -> None:
    """A new watch-list has no past: any `min_count` stories in its first bucket are a spike."""
    spikes = detector()
    events = hourly(T0, 1, 6, "new")
    assert feed(spikes, events[:4]) == []
    [spike] = feed(spikes, events[4:])
    assert spike.count == 5 and spike.baseline == 0.0

    assert feed(detector(min_count=7), events) == []


def test_a_continuing_surge_raises_one_spike_and_a_later_surge_a_second() -> None:
    spikes = detector()
    quiet = hourly(T0, 30, 2, "quiet")
    first = hourly(T0 + 30 * HOUR, 4, 20, "first")
    calm = hourly(T0 + 34 * HOUR, 10, 2, "calm")
    second = hourly(T0 + 44 * HOUR, 2, 40, "second")

    raised = feed(spikes, quiet + first + calm + second)

    assert [s.window_start for s in raised] == [T0 + 30 * HOUR, T0 + 44 * HOUR]


def test_a_surge_longer_than_the_cool_down_still_raises_one_spike() -> None:
    """Every bucket above the threshold extends the cool-down; without that, hour 7 of this
    surge would be a second spike (its baseline of 9 is far below 30)."""
    spikes = detector(recent_buckets=0)
    events = hourly(T0, 30, 2, "quiet") + hourly(T0 + 30 * HOUR, 10, 30, "surge")

    assert [s.window_start for s in feed(spikes, events)] == [T0 + 30 * HOUR]


def test_a_story_observed_again_is_not_counted_twice() -> None:
    spikes = detector()
    events = hourly(T0, 1, 5, "s")
    for event in events[:4]:
        feed(spikes, [event, event, event])
    assert feed(spikes, [events[0], events[3]]) == []
    [spike] = feed(spikes, events[4:])
    assert spike.count == 5


def test_the_crossing_story_observed_again_returns_the_same_spike_and_others_none() -> None:
    spikes = detector()
    events = hourly(T0, 1, 8, "s")
    [spike] = feed(spikes, events)
    crossing = events[4]

    assert feed(spikes, [crossing]) == [spike]
    assert feed(spikes, [events[3], events[5], events[7]]) == []
    # Still the spike as raised, though the bucket has grown since.
    assert feed(spikes, [crossing]) == [spike] and spike.count == 5


def test_a_replay_into_a_fresh_store_raises_the_same_spikes() -> None:
    rng = random.Random(7)
    events = poisson_timeline(rng, rate=4, hours=24 * 7, bursts=3)
    first = feed(detector(), events)
    assert len(first) >= 2
    assert feed(detector(), events) == first


def test_late_stories_count_in_their_own_bucket_but_raise_no_spike() -> None:
    spikes = detector()
    feed(spikes, hourly(T0 + 10 * HOUR, 1, 1, "now"))
    late = hourly(T0 + 9 * HOUR, 1, 9, "late")
    assert feed(spikes, late) == []
    # They count: the next bucket's baseline is at least their hour's mean (recent buckets).
    [spike] = feed(spikes, hourly(T0 + 11 * HOUR, 1, 30, "next"))
    assert spike.baseline == pytest.approx(10 / 3)
    # Older than every baseline kept: ignored.
    assert feed(spikes, hourly(T0 - 30 * HOUR, 1, 9, "old")) == []
    assert not any(key.endswith(str(int((T0 - 30 * HOUR).timestamp()))) for key in spikes.store)


def test_state_stays_bounded_over_a_long_timeline() -> None:
    spikes = detector()
    rng = random.Random(3)
    largest = 0
    for event in poisson_timeline(rng, rate=5, hours=24 * 30, bursts=4):
        feed(spikes, [event], "ports")
        feed(spikes, [event], "elections")
        largest = max(largest, len(spikes.store))
    # Per watch-list: the current bucket, the baseline's buckets and the head.
    assert largest <= 2 * (SpikeParams().baseline_buckets + 2)


def test_a_huge_bucket_keeps_a_bounded_value() -> None:
    store = JsonStore()
    spikes = SpikeDetector(store, SpikeParams(warmup_buckets=0))
    feed(spikes, hourly(T0, 1, 5000, "flood"))
    [bucket_key] = [key for key in store if key.startswith("spk|")]
    bucket = store[bucket_key]
    assert isinstance(bucket, dict) and bucket["count"] == 5000
    assert len(bucket["ids"]) == 500 and len(bucket["stories"]) == 20
    assert len(store.data[bucket_key]) < 20_000


def test_the_sensitivity_decides_a_moderate_burst() -> None:
    """Baseline 2, then 8 in an hour: P(X >= 8) is about 1e-3."""
    events = hourly(T0, 30, 2, "quiet") + hourly(T0 + 30 * HOUR, 1, 8, "burst")
    assert feed(detector(), events) == []
    assert len(feed(detector(sensitivity=1e-2), events)) == 1
    assert feed(detector(sensitivity=1e-2, min_count=9), events) == []


def test_a_naive_event_time_and_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        detector().observe("ports", "s", "t", datetime(2026, 3, 2))
    with pytest.raises(
        ValueError, match=r"min_count must be at least 1.*sensitivity must be between 0 and 1"
    ):
        SpikeParams(sensitivity=2.0, min_count=0)


def test_poisson_tail_matches_a_direct_sum() -> None:
    for mean in (0.5, 2.0, 7.5, 40.0):
        for count in range(math.ceil(mean) + 1, int(mean * 3) + 8):
            direct = 1 - sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(count))
            assert poisson_tail(count, mean) == pytest.approx(direct, rel=1e-6, abs=1e-15)
    assert poisson_tail(3, 0.0) == 0.0 and poisson_tail(1, 5.0) == 1.0


@pytest.mark.parametrize("seed", range(12))
def test_random_timelines_never_raise_spikes_within_the_cool_down(seed: int) -> None:
    rng = random.Random(seed)
    params = SpikeParams(
        recent_buckets=rng.choice([0, 3]),
        cooldown_seconds=rng.choice([0, 3600, 6 * 3600, 12 * 3600]),
        sensitivity=rng.choice([1e-2, 1e-4]),
    )
    events = poisson_timeline(rng, rate=rng.choice([0.5, 3, 12]), hours=24 * 6, bursts=rng.randint(1, 6))
    raised = feed(SpikeDetector(JsonStore(), params), events)

    starts = [s.window_start for s in raised]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for earlier, later in itertools.pairwise(raised):
        assert later.window_start - earlier.window_start >= timedelta(seconds=params.cooldown_seconds)
    for spike in raised:
        assert spike.count >= params.min_count and spike.count >= params.min_ratio * spike.baseline
        assert len(spike.stories) == min(spike.count, params.max_stories)


def poisson_timeline(rng: random.Random, rate: float, hours: int, bursts: int) -> list[Event]:
    """Stories at `rate` per hour for `hours`, with `bursts` surges of 3 to 8 times the
    rate lasting 1 to 4 hours, in event-time order."""
    surges = []
    for _ in range(bursts):
        begin = rng.uniform(24, hours - 4)
        surges.append((begin, begin + rng.uniform(1, 4), rng.uniform(3, 8)))
    events: list[Event] = []
    t = 0.0
    peak = rate * 8
    while (t := t + rng.expovariate(peak)) < hours:
        factor = max([f for begin, end, f in surges if begin <= t < end], default=1.0)
        if rng.random() * peak < rate * factor:
            events.append((f"s{len(events)}", f"title {len(events)}", T0 + t * HOUR))
    return events
