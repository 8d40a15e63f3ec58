"""Measure "same story" on a labelled set: pairwise precision and recall, overall and per edit.

The set (tests/data/stories/) holds hand-written originals in several languages, two
different reports of each event (same subject, other words: they must stay apart),
copies edited by hand, and the language-specific text that `variants.py` inserts to make
one scripted copy of every original per edit kind. A pair of articles is "same" when
both come from one original. Two measures:
- `pairwise`: `same_story` on every pair of fingerprints;
- `through_book`: every article decided by one `StoryBook`, in a fixed shuffled order;
  a pair is "same" when both got one story id (what a consumer sees).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

from newswatch.stories.book import StoryBook
from newswatch.stories.fingerprint import Fingerprint, Similarity, fingerprint, same_story, similarity
from newswatch.stories.variants import EDITS, Inserts, variant

ORIGINAL = "original"
HAND = "hand"
KINDS = (ORIGINAL, HAND, *EDITS)


@dataclass(frozen=True, slots=True)
class Labelled:
    id: str
    story: str  # the id of the original it comes from
    kind: str  # ORIGINAL, HAND or an edit kind
    lang: str
    event: str  # originals about the same event are different stories on one subject
    title: str
    body: str


_Same = Callable[[Labelled, Labelled], bool]


@dataclass(frozen=True, slots=True)
class Figures:
    same: int  # pairs labelled same
    predicted: int  # pairs predicted same
    correct: int  # pairs both

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.same if self.same else 1.0


def labelled_set(folder: Path) -> list[Labelled]:
    """Originals, hand-edited copies, and one scripted copy per edit kind of each original."""
    originals = [json.loads(line) for line in _lines(folder / "originals.jsonl")]
    inserts = {
        value["lang"]: Inserts.from_json(value)
        for value in (json.loads(line) for line in _lines(folder / "extras.jsonl"))
    }
    by_id = {row["id"]: row for row in originals}
    articles = [
        Labelled(row["id"], row["id"], ORIGINAL, row["lang"], row["event"], row["title"], row["body"])
        for row in originals
    ]
    for row in (json.loads(line) for line in _lines(folder / "hand_variants.jsonl")):
        of = by_id[row["of"]]
        articles.append(
            Labelled(row["id"], of["id"], HAND, of["lang"], of["event"], row["title"], row["body"])
        )
    for row in originals:
        for kind in EDITS:
            title, body = variant(kind, row["title"], row["body"], inserts[row["lang"]])
            articles.append(
                Labelled(f"{row['id']}~{kind}", row["id"], kind, row["lang"], row["event"], title, body)
            )
    return articles


def pairwise(articles: Sequence[Labelled]) -> dict[str, Figures]:
    """`same_story` on every pair: figures for all pairs and per kind (a pair counts for
    the kinds of both its articles)."""
    prints = {article.id: fingerprint(article.title, article.body) for article in articles}
    return _score(articles, lambda a, b: same_story(prints[a.id], prints[b.id]))


def through_book(articles: Sequence[Labelled], seed: int = 11) -> dict[str, Figures]:
    """Every article decided by one book in a shuffled order, a minute apart; a pair is
    predicted same when both got the same story id."""
    order = list(articles)
    random.Random(seed).shuffle(order)
    book = StoryBook({})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    story_of = {
        article.id: book.decide(
            "labelled",
            article.id,
            article.title,
            fingerprint(article.title, article.body),
            start + timedelta(minutes=i),
        ).story_id
        for i, article in enumerate(order)
    }
    return _score(articles, lambda a, b: story_of[a.id] == story_of[b.id])


def hard_negatives(articles: Sequence[Labelled], prints: dict[str, Fingerprint] | None = None) -> Figures:
    """Pairs from different reports of one event (same subject, other words): none may match."""
    prints = prints or {article.id: fingerprint(article.title, article.body) for article in articles}
    pairs = [(a, b) for a, b in combinations(articles, 2) if a.event == b.event and a.story != b.story]
    wrong = sum(1 for a, b in pairs if same_story(prints[a.id], prints[b.id]))
    return Figures(same=0, predicted=wrong, correct=0) if pairs else Figures(0, 0, 0)


def closest_apart(articles: Sequence[Labelled]) -> Similarity:
    """The highest Jaccard and the highest containment among pairs of different stories:
    how far below the thresholds the set's negatives stay."""
    prints = {article.id: fingerprint(article.title, article.body) for article in articles}
    found = [
        similarity(prints[a.id], prints[b.id]) for a, b in combinations(articles, 2) if a.story != b.story
    ]
    return Similarity(max(f.jaccard for f in found), max(f.containment for f in found))


def table(figures: dict[str, Figures], title: str) -> str:
    rows = [f"{title}", f"{'kind':<12} {'same':>6} {'found':>6} {'right':>6} {'precision':>9} {'recall':>7}"]
    for kind, found in figures.items():
        rows.append(
            f"{kind:<12} {found.same:>6} {found.predicted:>6} {found.correct:>6} "
            f"{found.precision:>9.3f} {found.recall:>7.3f}"
        )
    return "\n".join(rows)


def _score(articles: Sequence[Labelled], same: _Same) -> dict[str, Figures]:
    counts = {kind: [0, 0, 0] for kind in ("all", *KINDS)}
    for a, b in combinations(articles, 2):
        truth, guess = a.story == b.story, same(a, b)
        for kind in {"all", a.kind, b.kind}:
            count = counts[kind]
            count[0] += truth
            count[1] += guess
            count[2] += truth and guess
    return {kind: Figures(*count) for kind, count in counts.items()}


def _lines(path: Path) -> Iterable[str]:
    return (line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
