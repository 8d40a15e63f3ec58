"""Whether a change moved what the tagger says on real news: its alerts, saved and compared.

    python bench/tag_compare.py --save OUT.jsonl [--corpus PATH]
    python bench/tag_compare.py --against OUT.jsonl [--corpus PATH]
    python bench/tag_compare.py --desk 10000 --save OUT.jsonl   (then --desk 10000 --against)

Runs what `newswatch tag` runs (`alerts_for`, default watch-lists) on the real-news
corpus of bench/real_news.py twice, with the declared languages and with none (language
detected), with one fixed `tagged_at`, and writes the alerts as JSON lines (byte for
byte what `newswatch tag` prints, but for that timestamp). Keep OUT outside the
repository: it quotes the articles. `--against` runs again and reports every line that
differs; the exit status is 1 when any does. With `--desk N`, the default lists and N
generated Boolean-query lists (bench/desk_scale.py's desk), so the query path is compared too.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from desk import desk
from desk_scale import corpus_names
from real_news import REAL_NEWS, real_news

from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine
from newswatch.watchlists.rules.loader import default_watchlist_paths, load_watchlists, read_watchlist_text

TAGGED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def alert_lines(corpus: Path, size: int = 0) -> list[str]:
    lists = load_watchlists(default_watchlist_paths())
    if size:
        generated = desk(size, names=corpus_names(corpus))
        lists += [read_watchlist_text(Path(name), text) for name, text in generated]
    engine = Engine(lists)
    return [
        alert.model_dump_json()
        for labelled in (True, False)
        for article in real_news(corpus, labelled=labelled)
        for alert in alerts_for(article, engine, TAGGED_AT)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=REAL_NEWS)
    parser.add_argument("--desk", type=int, default=0, help="generated query lists added (default: none)")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path)
    action.add_argument("--against", type=Path)
    args = parser.parse_args()
    lines = alert_lines(args.corpus, args.desk)
    if args.save is not None:
        args.save.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        print(f"{len(lines)} alerts written to {args.save}")
        return 0
    before = args.against.read_text(encoding="utf-8").splitlines()
    differing = [
        (n, old, new) for n, (old, new) in enumerate(zip(before, lines, strict=False), 1) if old != new
    ]
    for number, old, new in differing:
        print(f"alert {number} differs:\n  before {old}\n  after  {new}")
    if len(before) != len(lines):
        print(f"{len(before)} alerts before, {len(lines)} now")
    same = not differing and len(before) == len(lines)
    print("identical" if same else f"{len(differing)} alerts differ")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
