"""`newswatch eval LABELLED.jsonl`: run the engine on labelled articles and report its quality."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from newswatch.evaluation.labelled import LabelledArticle, read_labelled
from newswatch.evaluation.report import Mistake, render
from newswatch.evaluation.scores import Decision, Scores, score
from newswatch.settings import Settings
from newswatch.watchlists.engine import Engine


def evaluate(engine: Engine, items: Sequence[LabelledArticle]) -> tuple[Scores, list[Mistake]]:
    """The figures and every wrong decision, in file order."""
    decisions = []
    mistakes = []
    for item in items:
        article = item.article
        language = article.language or engine.detect_language(f"{article.title}\n{article.body}") or "unknown"
        predicted = frozenset(
            match.watchlist for match in engine.match(article.title, article.body, language)
        )
        decisions.append(Decision(language, item.labels, predicted, item.ignore))
        wrong = {name for name in (item.labels ^ predicted) if name not in item.ignore}
        if not wrong:
            continue
        explanation = engine.explain(article.title, article.body, language)
        for listed in explanation.watchlists:
            if listed.watchlist in wrong:
                kind: Literal["FP", "FN"] = "FP" if listed.watchlist in predicted else "FN"
                mistakes.append(Mistake(kind, listed.watchlist, item, language, listed))
    return score(decisions, engine.watchlist_names), mistakes


def eval_command(settings: Settings, paths: list[Path], json_path: Path | None, min_f1: float | None) -> int:
    """Print the report; write the figures as JSON when asked; exit 1 below `min_f1`."""
    engine = Engine.from_settings(settings)
    items = read_labelled(paths, engine.watchlist_names)
    scores, mistakes = evaluate(engine, items)
    print(render(scores, mistakes, len(paths)), end="")
    if json_path is not None:
        figures = {**scores.as_dict(), "mistakes": [mistake.as_dict() for mistake in mistakes]}
        json_path.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    micro = scores.micro.f1
    if min_f1 is not None and micro < min_f1:
        print(f"micro F1 {micro:.3f} is below the floor {min_f1:g}", file=sys.stderr)
        return 1
    return 0
