"""Print pairwise precision and recall of "same story" on the labelled set, per edit kind.

    .venv/bin/python bench/stories_quality.py [tests/data/stories]

Two tables: `same_story` on every pair of fingerprints, and the story ids a `StoryBook`
gives when every article of the set arrives in one shuffled stream. Then the pairs of
different reports of one event (same subject, other words) that were wrongly matched.
"""

from __future__ import annotations

import sys
from pathlib import Path

from newswatch.stories.fingerprint import CONTAINMENT_MIN, JACCARD_MIN
from newswatch.stories.quality import (
    closest_apart,
    hard_negatives,
    labelled_set,
    pairwise,
    table,
    through_book,
)

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "stories"


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT_SET
    articles = labelled_set(folder)
    stories = len({article.story for article in articles})
    print(f"{len(articles)} articles, {stories} stories, {len({a.lang for a in articles})} languages\n")
    print(table(pairwise(articles), "same_story on every pair"))
    print()
    print(table(through_book(articles), "StoryBook, one shuffled stream"))
    wrong = hard_negatives(articles)
    print(f"\nsame event, other words: {wrong.predicted} pairs wrongly matched")
    closest = closest_apart(articles)
    print(
        f"different stories, closest: Jaccard {closest.jaccard:.3f} (threshold {JACCARD_MIN}), "
        f"containment {closest.containment:.3f} (threshold {CONTAINMENT_MIN})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
