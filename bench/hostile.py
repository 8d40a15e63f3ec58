"""Benchmark of the watch-list engine on hostile articles: no input may stall the worker.

Not a test: run `python bench/hostile.py [--sizes 8 16 64 256 1024] [--runs 3] [--explain]`.
Each case of `bench/hostile_articles.py` (every packaged term, rule pairs, glued words,
salads with and without sentence breaks, each script) is built at each size (KiB of
UTF-8 body) and passed to `Engine.match` with no language (so detection runs too), as
`newswatch tag` does; `--explain` times `Engine.explain` instead.

Prints a table case x size of engine CPU time (median of `--runs`; one run when the
first takes over a second), the growth 8 -> 64 KiB, and the targets: every 64 KiB case
under 0.5 s, growth under 10x, 1 MiB under 5 s. A case that takes over `--timeout`
seconds at one size is not run at the larger ones. `--each` also times every term alone
and every rule pair at 64 KiB and prints the slowest.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

from hostile_articles import Article, each_term, hostile_articles

from newswatch.watchlists import Engine

TARGET_64K_SECONDS = 0.5
TARGET_GROWTH = 10.0
TARGET_1M_SECONDS = 5.0


def cpu_seconds(work: Callable[[], object], runs: int) -> float:
    """Median CPU time of `runs` calls (one call when the first takes over a second)."""
    timings = []
    for _ in range(runs):
        started = time.process_time()
        work()
        timings.append(time.process_time() - started)
        if timings[0] > 1.0:
            break
    return statistics.median(timings)


def runner(engine: Engine, explain: bool) -> Callable[[Article], object]:
    if explain:
        return lambda article: engine.explain(article["title"], article["body"])
    return lambda article: engine.match(article["title"], article["body"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 64, 256, 1024], help="KiB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds; skip larger sizes after")
    parser.add_argument("--explain", action="store_true", help="time Engine.explain, not Engine.match")
    parser.add_argument("--each", action="store_true", help="also every term and rule pair at 64 KiB")
    args = parser.parse_args()
    engine = Engine.default()
    engine.match("warm-up", "North Korea")  # loads the language model, builds char tables
    run = runner(engine, args.explain)
    sizes = sorted(args.sizes)
    articles = {size: hostile_articles(engine.watchlists, size * 1024) for size in sizes}
    names = list(articles[sizes[0]])
    for article in articles[sizes[0]].values():  # first-use costs (language models) are not timed
        run(article)
    width = max(len(name) for name in names)
    print(f"engine CPU seconds ({'explain' if args.explain else 'match'}), median of {args.runs} runs")
    header = "".join(f"{size:>7} KiB" if size < 1024 else f"{size // 1024:>7} MiB" for size in sizes)
    print(f"{'case':<{width}}{header}  8->64")
    worst: dict[str, float] = {}
    for name in names:
        cells: dict[int, float] = {}
        for size in sizes:
            article = articles[size][name]
            cells[size] = cpu_seconds(partial(run, article), args.runs)
            if cells[size] > args.timeout:
                break
        row = "".join(
            f"{cells[size]:>11.3f}" if size in cells else f"{'>' + str(args.timeout):>11}" for size in sizes
        )
        growth = cells[64] / max(cells[8], 1e-6) if 8 in cells and 64 in cells else None
        print(f"{name:<{width}}{row}  {'' if growth is None else f'{growth:.1f}x'}", flush=True)
        for size, seconds in cells.items():
            worst[f"{size}"] = max(worst.get(f"{size}", 0.0), seconds)
        if growth is not None:
            worst["growth"] = max(worst.get("growth", 0.0), growth)
    print()
    if "64" in worst:
        print(f"slowest 64 KiB case: {worst['64']:.3f} s (target {TARGET_64K_SECONDS} s)")
    if "growth" in worst:
        print(f"largest growth 8->64 KiB: {worst['growth']:.1f}x (target {TARGET_GROWTH:.0f}x)")
    if "1024" in worst:
        print(f"slowest 1 MiB case: {worst['1024']:.3f} s (target {TARGET_1M_SECONDS} s)")
    if args.each:
        timings = []
        for what, article in each_term(engine.watchlists, 64 * 1024):
            timings.append((cpu_seconds(partial(run, article), 1), what))
        timings.sort(reverse=True)
        print(f"\nslowest of {len(timings)} single terms and rule pairs at 64 KiB:")
        for seconds, what in timings[:10]:
            print(f"  {seconds:.3f} s  {what}")


if __name__ == "__main__":
    main()
