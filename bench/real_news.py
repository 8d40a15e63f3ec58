"""Benchmark of the engine on real news, set against the tokenising floor measured in the same run.

Not a test: run `python bench/real_news.py [--corpus PATH] [--rounds 20] [--runs 5]`.
The corpus is the 163 real articles of ../shared/corpus/real-news.jsonl (beside the
repository) or `--corpus PATH`, read at run time and never copied into the repository
(their licences forbid it); without it the benchmark says so and prints nothing else.
The articles are taken `--rounds` times over (20: 8.2 MB).

Rows, each the median of `--runs` runs, CPU time of this process (the per-core figure),
the runs interleaved (floor, declared, unlabelled, floor, ...) so that a busy machine
slows all of them alike; ratios are medians of the ratios within each run:
  floor       plain CPython tokenising of the same text: NFKC, casefold, `\\w+`;
  declared    `alerts_for` (what `newswatch tag` runs), each article with its language;
  unlabelled  the same with no language, so the engine detects it for each match;
  language    the share of the unlabelled row spent detecting languages (the same calls).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from newswatch.contracts import Article, utc_now
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine

REAL_NEWS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-news.jsonl"
TARGET_OVER_FLOOR = 0.5
TARGET_LANGUAGE_SHARE = 0.10
_WORDS = re.compile(r"\w+")


def real_news(path: Path, rounds: int = 1, *, labelled: bool = True) -> list[Article]:
    """The corpus `rounds` times over as Articles (ids unique per round), with or without language."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        Article(
            id=f"{number}-{row['id']}",
            title=row.get("title") or "",
            body=row["text"],
            language=row.get("lang") if labelled else None,
        )
        for number in range(rounds)
        for row in rows
    ]


def tokenise(articles: Sequence[Article]) -> None:
    """The floor: what any tagger must at least do to each article's text."""
    for article in articles:
        for text in (article.title, article.body):
            _WORDS.findall(unicodedata.normalize("NFKC", text).casefold())


def cpu_seconds(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=REAL_NEWS, help=f"default: {REAL_NEWS}")
    parser.add_argument("--rounds", type=int, default=20, help="times the corpus is taken over")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"real news: no corpus at {args.corpus}; pass --corpus PATH (skipped)")
        return
    engine = Engine.default()
    declared = real_news(args.corpus, args.rounds)
    unlabelled = real_news(args.corpus, args.rounds, labelled=False)
    megabytes = sum(len(a.title.encode()) + len(a.body.encode()) for a in declared) / 1e6
    tagged_at = utc_now()
    matching = [a for a in unlabelled if alerts_for(a, engine, tagged_at)]  # warms up every model

    def tag(articles: Sequence[Article]) -> Callable[[], None]:
        def work() -> None:
            for article in articles:
                alerts_for(article, engine, tagged_at)

        return work

    def detect() -> None:
        for article in matching:
            engine.detect_language(f"{article.title}\n{article.body}")

    samples: dict[str, list[float]] = {"floor": [], "declared": [], "unlabelled": [], "language": []}
    for _ in range(args.runs):
        samples["floor"].append(cpu_seconds(lambda: tokenise(declared)))
        samples["declared"].append(cpu_seconds(tag(declared)))
        samples["unlabelled"].append(cpu_seconds(tag(unlabelled)))
        samples["language"].append(cpu_seconds(detect))
    report(samples, len(declared), megabytes, len(matching))


def report(samples: dict[str, list[float]], count: int, megabytes: float, matching: int) -> None:
    def rate(name: str) -> str:
        seconds = statistics.median(samples[name])
        spread = f"{megabytes / max(samples[name]):.1f}-{megabytes / min(samples[name]):.1f}"
        return f"{count / seconds:,.0f} articles/s, {megabytes / seconds:.1f} MB/s (runs {spread})"

    def over_floor(name: str) -> float:
        return statistics.median(f / e for f, e in zip(samples["floor"], samples[name], strict=True))

    share = statistics.median(d / u for d, u in zip(samples["language"], samples["unlabelled"], strict=True))
    runs = len(samples["floor"])
    print(
        f"real news: {count} articles, {megabytes:.2f} MB, {matching} matching; medians of {runs} runs, CPU"
    )
    print(f"  floor (NFKC, casefold, \\w+)      {rate('floor')}")
    for name in ("declared", "unlabelled"):
        ratio = over_floor(name)
        verdict = "met" if ratio >= TARGET_OVER_FLOOR else "not met"
        print(
            f"  engine, {name:10s} languages {rate(name)}: {ratio:.2f} x floor "
            f"(target {TARGET_OVER_FLOOR} x: {verdict})"
        )
    verdict = "met" if share <= TARGET_LANGUAGE_SHARE else "not met"
    print(
        f"  language detection: {share:.1%} of the unlabelled engine time "
        f"(target <= {TARGET_LANGUAGE_SHARE:.0%}: {verdict})"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
