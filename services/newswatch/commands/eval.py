"""`newswatch eval LABELLED.jsonl`: run the engine on labelled articles and report its quality."""

from __future__ import annotations

import argparse
import json
import sys

from newswatch.evaluation.labelled import read_labelled
from newswatch.evaluation.measure import measure
from newswatch.evaluation.report import render
from newswatch.settings import Settings
from newswatch.watchlists import Engine


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Print the report; write the figures as JSON with --json; exit 1 below --min-f1."""
    engine = Engine.from_settings(settings)
    items = read_labelled(args.paths, engine.watchlist_names)
    scores, mistakes = measure(engine, items)
    print(render(scores, mistakes, len(args.paths)), end="")
    if args.json is not None:
        figures = {**scores.as_dict(), "mistakes": [mistake.as_dict() for mistake in mistakes]}
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    micro = scores.micro.f1
    if args.min_f1 is not None and micro < args.min_f1:
        print(f"micro F1 {micro:.3f} is below the floor {args.min_f1:g}", file=sys.stderr)
        return 1
    return 0
