"""One worker's engine with 3, 10,000 and 100,000 watch-lists, on the same real news, in one run.

    python bench/desk_scale.py [--sizes 10000 100000] [--corpus PATH] [--rounds 4] [--runs 9] [--restart]

Not a test: prints a table. The 3 lists are the packaged defaults; each desk is those
3 plus the generated Boolean-query lists of bench/desk.py (300 broad, the rest
clients; one client in fifty named by a capitalised word of the corpus, read at run
time). Each size runs in a fresh child process, so that its peak RSS is its own:
  start-up  the desk's YAML files (written to a temporary folder first) read and checked
            by the loader, as a starting worker does, and the engine compiled and warmed
            (wall clock);
  rate      `alerts_for` (what `newswatch tag` runs) over the corpus `--rounds` times,
            with declared languages: CPU time of the process, median of `--runs`; a
            desk's child also builds the 3 lists' engine (after its RSS is read) and
            alternates their passes with the desk's: its ratio to the 3 lists is the
            median of the pairs' (their spread printed), so that a machine whose speed
            drifts between children does not decide it;
  publish   one list changed (a NEAR distance) and the engine rebuilt on top of the
            running one, as a worker does on a `news.watchlists` record; then one
            list with a new client name, which needs a new automaton;
  RSS       the child's peak resident memory after all of it.
With --restart, the engine keeps its compiled automaton in a temporary folder (as a
worker does in its state folder) and a second child, started after the first, reads the
same lists and the stored automaton: its start-up is a restart's.
Targets (issue 14): 10,000 lists >= 0.5 x the 3-list rate, start-up <= 30 s;
100,000 >= 0.2 x, start-up <= 60 s, RSS <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from desk import desk
from real_news import REAL_NEWS, real_news

from newswatch.contracts import utc_now
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine, Watchlist
from newswatch.watchlists.rules.loader import default_watchlist_paths, load_watchlists, read_watchlist_text
from newswatch.watchlists.scoring.database_cache import DatabaseCache

TARGETS = {10_000: (0.5, 30.0, None), 100_000: (0.2, 60.0, 1.5e9)}
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{4,}\b")


def corpus_names(corpus: Path, count: int = 200) -> list[str]:
    """Capitalised words (lower-cased) that 2 to 5 of the corpus's articles mention: clients in
    the news now and then, as most are (the corpus's commonest names are its countries and
    leaders, which a client list does not name)."""
    articles = Counter(
        word.lower()
        for line in corpus.read_text(encoding="utf-8").splitlines()
        for word in set(_CAPITALISED.findall(line))
    )
    return sorted(word for word, seen in articles.items() if 2 <= seen <= 5)[:count]


def measure(
    size: int,
    corpus: Path,
    rounds: int,
    runs: int,
    *,
    databases: Path | None = None,
    startup_only: bool = False,
) -> dict[str, float]:
    """One size's figures, in this process (the child's side); with `databases`, the
    compiled automaton kept there; with `startup_only`, the start-up and RSS alone."""
    names = corpus_names(corpus)
    texts = desk(size - 3, names=names) if size > 3 else []
    with tempfile.TemporaryDirectory(prefix="desk-") as folder:
        for name, text in texts:
            (Path(folder) / name).write_text(text, encoding="utf-8")
        started = time.perf_counter()
        desk_folder = [Path(folder)] if texts else []
        lists: list[Watchlist] = load_watchlists([*default_watchlist_paths(), *desk_folder])
        loaded = time.perf_counter()
    engine = Engine(lists, databases=None if databases is None else DatabaseCache(databases))
    engine.match("warm-up", "warm-up", None)
    engine.detect_language("warm-up")
    compiled = time.perf_counter()
    if startup_only:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return {"lists": len(lists), "read": loaded - started, "compile": compiled - loaded, "rss": rss}
    articles = real_news(corpus, rounds)
    tagged_at = utc_now()
    alerts = sum(len(alerts_for(article, engine, tagged_at)) for article in articles)
    figures = {
        "lists": len(lists),
        "read": loaded - started,
        "compile": compiled - loaded,
        "alerts": alerts / rounds,
        "articles": len(articles) / rounds,
    }
    if texts:
        figures |= publish_costs(engine, lists)
    figures["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    # The 3 lists again, in this process, after the RSS is read: their passes alternate
    # with the desk's, so a machine that slows down slows both alike (the ratio is the
    # median of each pair's). The 3-list child's own rate is its row's.
    engines = {"rate": engine} | ({"base_rate": Engine.default()} if texts else {})
    seconds: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(runs):
        for name, tagging in engines.items():
            begun = time.process_time()
            for article in articles:
                alerts_for(article, tagging, tagged_at)
            seconds[name].append(time.process_time() - begun)
    for name, taken in seconds.items():
        figures[name] = len(articles) / statistics.median(taken)
    if texts:
        pairs = [three / desk for three, desk in zip(seconds["base_rate"], seconds["rate"], strict=True)]
        figures |= {"ratio": statistics.median(pairs), "ratio_low": min(pairs), "ratio_high": max(pairs)}
    return figures


def publish_costs(engine: Engine, lists: list[Watchlist]) -> dict[str, float]:
    """Seconds to rebuild on top of `engine` after one list changes: same terms, then a new term."""
    last = lists[-1]
    assert last.query is not None
    costs = {}
    # A new threshold changes the list and none of its terms; an OR'ed new word brings a term.
    for key, extra, query in (
        ("publish_same_terms", "threshold: 2\n", last.query.text),
        ("publish_new_term", "", f"({last.query.text}) OR zyxwvutsrq"),
    ):
        changed = read_watchlist_text(last.source, f"name: {last.name}\n{extra}query: '{query}'\n")
        started = time.perf_counter()
        rebuilt = Engine([*lists[:-1], changed], engine)
        rebuilt.match("warm-up", "warm-up", None)
        costs[key] = time.perf_counter() - started
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--corpus", type=Path, default=REAL_NEWS, help=f"default: {REAL_NEWS}")
    parser.add_argument("--rounds", type=int, default=4, help="times the corpus is taken over per run")
    parser.add_argument("--runs", type=int, default=9)  # pairs: the median of 5 moved by 0.05 between runs
    parser.add_argument(
        "--restart", action="store_true", help="keep the compiled automaton and time a restart too"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--databases", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--startup-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"desk scale: no corpus at {args.corpus}; pass --corpus PATH (skipped)")
        return
    if args.child is not None:
        figures = measure(
            args.child,
            args.corpus,
            args.rounds,
            args.runs,
            databases=args.databases,
            startup_only=args.startup_only,
        )
        print(json.dumps(figures))
        return
    rows = {}
    for size in [3, *args.sizes]:
        command = [sys.executable, __file__, "--child", str(size), "--corpus", str(args.corpus)]
        command += ["--rounds", str(args.rounds), "--runs", str(args.runs)]
        with tempfile.TemporaryDirectory(prefix="desk-state-") as state:
            kept = ["--databases", state] if args.restart and size > 3 else []
            rows[size] = _child(command + kept)
            report(size, rows[size])
            if kept:
                restart = _child(command + kept + ["--startup-only"])
                print(
                    f"  {restart['lists']:>7,.0f} lists restarted with the stored automaton: start-up "
                    f"{restart['read'] + restart['compile']:.1f} s (read {restart['read']:.1f} + compile "
                    f"{restart['compile']:.1f}); peak RSS {restart['rss'] / 1e6:,.0f} MB"
                )
        sys.stdout.flush()


def _child(command: list[str]) -> dict[str, float]:
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def report(size: int, row: dict[str, float]) -> None:
    if size == 3:
        print(
            f"desk scale: real news ({row['articles']:.0f} articles x rounds), declared languages; "
            "CPU rate median of runs; start-up and publish wall clock"
        )
    ratio = row.get("ratio", 1.0)
    against = (
        f"{ratio:.2f} x 3 lists, pairs {row['ratio_low']:.2f}-{row['ratio_high']:.2f}, 3 lists alternating "
        f"{row['base_rate']:,.0f}/s"
        if "ratio" in row
        else "1.00 x 3 lists"
    )
    line = (
        f"  {row['lists']:>7,.0f} lists: {row['rate']:,.0f} articles/s ({against}), "
        f"{row['alerts']:,.0f} alerts per pass; start-up {row['read'] + row['compile']:.1f} s "
        f"(read {row['read']:.1f} + compile {row['compile']:.1f}); peak RSS {row['rss'] / 1e6:,.0f} MB"
    )
    if "publish_same_terms" in row:
        line += (
            f"; publish one list: {row['publish_same_terms']:.1f} s (its terms kept), "
            f"{row['publish_new_term']:.1f} s (a new term)"
        )
    target = TARGETS.get(size)
    if target is not None:
        floor, startup, rss = target
        met = (
            ratio >= floor and row["read"] + row["compile"] <= startup and (rss is None or row["rss"] <= rss)
        )
        line += f" [targets >= {floor} x, start-up <= {startup:.0f} s" + (
            f", RSS <= {rss / 1e9} GB" if rss else ""
        )
        line += f": {'met' if met else 'not met'}]"
    print(line)


if __name__ == "__main__":
    main()
