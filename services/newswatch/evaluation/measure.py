"""Run the engine on labelled articles: the figures and every wrong decision. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from newswatch.evaluation.labelled import LabelledArticle
from newswatch.evaluation.report import Mistake
from newswatch.evaluation.scores import Decision, Scores, score
from newswatch.watchlists.scoring.engine import Engine


def measure(engine: Engine, items: Sequence[LabelledArticle]) -> tuple[Scores, list[Mistake]]:
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
