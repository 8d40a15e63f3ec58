"""The printed report of `newswatch eval`: figures first, then every mistake with evidence.

A false positive shows the rules that scored and the text they found, so an analyst
sees which term to veto; a false negative shows how close the article came (its score
against the threshold) and whatever fired, so an analyst sees which term is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from newswatch.evaluation.labelled import LabelledArticle
from newswatch.evaluation.scores import Counts, Scores
from newswatch.watchlists.scoring.explain import WatchlistExplanation

MAX_EVIDENCE = 3  # hits shown per rule


@dataclass(frozen=True, slots=True)
class Mistake:
    """One wrong decision and the engine's reasoning for it."""

    kind: Literal["FP", "FN"]
    watchlist: str
    item: LabelledArticle
    language: str
    explanation: WatchlistExplanation

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "watchlist": self.watchlist,
            "id": self.item.article.id,
            "language": self.language,
            "title": self.item.article.title,
            "score": round(self.explanation.score, 3),
            "threshold": self.explanation.threshold,
            "note": self.item.note,
        }


def render(scores: Scores, mistakes: Sequence[Mistake], sources: int) -> str:
    """The whole report as text."""
    total = sum(scores.articles.values())
    lines = [
        f"{total} labelled article(s) from {sources} file(s), {len(scores.watchlists)} watch-list(s)",
        "",
    ]
    lines += _table("watch-list", [(name, None, counts) for name, counts in scores.watchlists.items()])
    lines.append(_row("micro", None, scores.micro))
    lines.append("")
    lines += _table(
        "language",
        [(language, scores.articles[language], counts) for language, counts in scores.languages.items()],
    )
    for kind, title in (("FP", "False positives"), ("FN", "False negatives")):
        chosen = [mistake for mistake in mistakes if mistake.kind == kind]
        lines += ["", f"{title} ({len(chosen)})"]
        for mistake in chosen:
            lines += _mistake(mistake)
    return "\n".join(lines) + "\n"


def _table(heading: str, rows: list[tuple[str, int | None, Counts]]) -> list[str]:
    header = f"{heading:<18} {'articles':>8} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7} "
    header += f"{'F1':>6}"
    return [header, *(_row(name, articles, counts) for name, articles, counts in rows)]


def _row(name: str, articles: int | None, counts: Counts) -> str:
    shown = "" if articles is None else str(articles)
    return (
        f"{name:<18} {shown:>8} {counts.tp:>4} {counts.fp:>4} {counts.fn:>4} "
        f"{counts.precision:>9.3f} {counts.recall:>7.3f} {counts.f1:>6.3f}"
    )


def _mistake(mistake: Mistake) -> list[str]:
    article = mistake.item.article
    explanation = mistake.explanation
    verdict = "score" if mistake.kind == "FP" else "best score"
    lines = [
        f"  {mistake.kind} {mistake.watchlist}  {article.id} [{mistake.language}] {article.title}",
        f"      {verdict} {explanation.score:g} / threshold {explanation.threshold:g}"
        + (f"  ({mistake.item.note})" if mistake.item.note else ""),
    ]
    fired = [rule for rule in explanation.rules if rule.points or (mistake.kind == "FN" and rule.mentions)]
    if not fired:
        lines.append("      no rule fired")
    for rule in sorted(fired, key=lambda rule: -rule.points):
        lines.append(f"      {rule.points:+.2f}  {rule.name} (x{rule.counted})")
        lines.extend(
            f'          {hit.field} "{hit.text}" [{hit.term}]: {hit.snippet}'
            for hit in rule.evidence[:MAX_EVIDENCE]
        )
    return lines
