"""Cost of the stories stage per article: fingerprint and decide, median and p99 in µs.

    .venv/bin/python bench/stories.py [../shared/corpus/real-news.jsonl] [--rounds 5]

Reads the real corpus at run time (its texts are not copied anywhere). Every article is
fingerprinted, then decided by one `StoryBook` over a plain dict, one watch-list, a
minute of event time apart; the corpus is fed `--rounds` times under new ids, so that
later rounds decide copies against a full index. Prints the medians and how many
stories and copies the book saw.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newswatch.stories.book import StoryBook
from newswatch.stories.fingerprint import fingerprint

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-news.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    fingerprint("", "warm-up: the permutations and the word pattern are built once per process")
    book = StoryBook({})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    printing, deciding, kinds = [], [], {"new": 0, "copy": 0}
    for round_ in range(args.rounds):
        for n, row in enumerate(rows):
            began = time.perf_counter()
            found = fingerprint(row.get("title") or "", row.get("text") or "")
            printed = time.perf_counter()
            when = start + timedelta(minutes=round_ * len(rows) + n)
            decision = book.decide("bench", f"{row['id']}#{round_}", row.get("title") or "", found, when)
            decided = time.perf_counter()
            printing.append((printed - began) * 1e6)
            deciding.append((decided - printed) * 1e6)
            kinds[decision.kind] += 1
    chars = statistics.median(len(row.get("text") or "") for row in rows)
    print(f"{len(rows)} articles x {args.rounds} rounds, median body {chars:,.0f} characters")
    for name, times in (("fingerprint", printing), ("decide", deciding)):
        ordered = sorted(times)
        p99 = ordered[int(0.99 * (len(ordered) - 1))]
        print(f"{name:<12} median {statistics.median(times):8.0f} µs   p99 {p99:8.0f} µs")
    print(f"stories opened {kinds['new']}, copies folded {kinds['copy']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
