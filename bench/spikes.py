"""Benchmark of the spike detector on synthetic timelines: false spikes and detection delay.

Not a test: run `python bench/spikes.py [--weeks N] [--trials N] [--seed S]`, optionally with
`--sensitivity`, `--min-count`, `--min-ratio` to see what a setting changes. Stories arrive
as a Poisson process (exponential gaps, in event time) into `SpikeDetector` with a plain
dict as its store, the way the worker feeds it one watch-list's story events in order.

Prints, for baseline rates of 1, 5 and 20 new stories per hour:
- false spikes per simulated week on a flat rate, and on a rate with a day/night cycle
  (±50 % around the mean), after a first day that fills the baseline;
- for bursts of 3x and 5x the rate lasting 3 hours, starting at a random moment on the
  third day: the share detected, and the delay from the burst's start to the spike
  (median and 90th percentile, minutes);
- the largest state seen (keys per watch-list) and observe() calls per second.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from newswatch.stories.spikes import SpikeDetector, SpikeParams

HOUR = 3600.0
DAY = 24 * HOUR
WEEK = 7 * DAY
RATES = (1.0, 5.0, 20.0)
FACTORS = (3.0, 5.0)
BURST_HOURS = 3.0
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

RateAt = Callable[[float], float]


def arrivals(rng: random.Random, rate_at: RateAt, peak: float, start: float, end: float) -> list[float]:
    """Arrival times (seconds) of a Poisson process whose rate per hour is `rate_at(t)`, by
    thinning a process at `peak` (an upper bound of the rate)."""
    times: list[float] = []
    t = start
    while True:
        t += rng.expovariate(peak / HOUR)
        if t >= end:
            return times
        if rng.random() * peak < rate_at(t):
            times.append(t)


def run(params: SpikeParams, times: list[float]) -> tuple[list[float], int]:
    """Feed one watch-list's stories at `times`; the event times of the spikes raised and
    the largest number of keys the store held."""
    store: dict[str, object] = {}
    detector = SpikeDetector(store, params)
    spikes: list[float] = []
    largest = 0
    for n, t in enumerate(times):
        if detector.observe("wl", f"s{n}", "a title", EPOCH + timedelta(seconds=t)):
            spikes.append(t)
        largest = max(largest, len(store))
    return spikes, largest


def false_spikes(params: SpikeParams, rng: random.Random, rate: float, weeks: int, swing: float) -> float:
    def rate_at(t: float) -> float:
        return rate * (1 + swing * math.sin(2 * math.pi * t / DAY))

    times = arrivals(rng, rate_at, rate * (1 + swing), 0.0, DAY + weeks * WEEK)
    spikes, _ = run(params, times)
    return sum(1 for t in spikes if t >= DAY) / weeks


def detection(
    params: SpikeParams, rng: random.Random, rate: float, factor: float, trials: int
) -> tuple[float, list[float]]:
    """The share of bursts detected and the delays (minutes) of the detected ones."""
    delays: list[float] = []
    for _ in range(trials):
        begin = 2 * DAY + rng.uniform(0, DAY)
        end = begin + BURST_HOURS * HOUR

        def rate_at(t: float, begin: float = begin, end: float = end) -> float:
            return rate * factor if begin <= t < end else rate

        times = arrivals(rng, rate_at, rate * factor, 0.0, end + HOUR)
        spikes, _ = run(params, times)
        # A spike up to an hour after the burst is still the burst's (its bucket's count).
        caught = [t for t in spikes if begin <= t < end + HOUR]
        if caught:
            delays.append((caught[0] - begin) / 60)
    return len(delays) / trials, delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weeks", type=int, default=30, help="simulated weeks per rate (default 30)")
    parser.add_argument("--trials", type=int, default=200, help="bursts per rate and factor (default 200)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--sensitivity", type=float)
    parser.add_argument("--min-count", type=int)
    parser.add_argument("--min-ratio", type=float)
    parser.add_argument("--recent-buckets", type=int)
    args = parser.parse_args()
    params = SpikeParams()
    if args.sensitivity is not None:
        params = replace(params, sensitivity=args.sensitivity)
    if args.min_count is not None:
        params = replace(params, min_count=args.min_count)
    if args.min_ratio is not None:
        params = replace(params, min_ratio=args.min_ratio)
    if args.recent_buckets is not None:
        params = replace(params, recent_buckets=args.recent_buckets)
    rng = random.Random(args.seed)
    print(
        f"params: bucket {params.bucket_seconds} s, baseline {params.baseline_buckets} buckets, "
        f"recent {params.recent_buckets}, min_count {params.min_count}, min_ratio {params.min_ratio}, "
        f"sensitivity {params.sensitivity:g}, "
        f"cooldown {params.cooldown_seconds} s"
    )
    print(f"\nfalse spikes per watch-list per week ({args.weeks} simulated weeks per rate)")
    print(f"{'stories/hour':>12}  {'flat':>6}  {'day/night ±50%':>14}")
    for rate in RATES:
        flat = false_spikes(params, rng, rate, args.weeks, 0.0)
        cycle = false_spikes(params, rng, rate, args.weeks, 0.5)
        print(f"{rate:>12g}  {flat:>6.2f}  {cycle:>14.2f}")

    print(
        f"\nbursts of {BURST_HOURS:g} h ({args.trials} per row): share detected, delay from the burst's start"
    )
    print(f"{'stories/hour':>12}  {'burst':>5}  {'detected':>8}  {'median min':>10}  {'p90 min':>7}")
    for rate in RATES:
        for factor in FACTORS:
            share, delays = detection(params, rng, rate, factor, args.trials)
            median = statistics.median(delays) if delays else float("nan")
            p90 = statistics.quantiles(delays, n=10)[-1] if len(delays) >= 2 else float("nan")
            print(f"{rate:>12g}  {factor:>4g}x  {share:>8.0%}  {median:>10.0f}  {p90:>7.0f}")

    times = arrivals(rng, lambda _t: 20.0, 20.0, 0.0, 4 * WEEK)
    began = time.perf_counter()
    _, largest = run(params, times)
    seconds = time.perf_counter() - began
    print(
        f"\nstate: at most {largest} keys for one watch-list over 4 weeks at 20 stories/hour; "
        f"{len(times) / seconds:,.0f} observe() calls/s (dict store, one core)"
    )


if __name__ == "__main__":
    main()
