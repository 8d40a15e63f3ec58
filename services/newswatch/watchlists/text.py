"""Sentences, word positions and evidence snippets: the text helpers rules need.

Both are computed lazily, per field, and only when a rule asks: most articles hit no
rule with a sentence or word-distance condition, and they should not pay for one.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from newswatch.watchlists.script import NO_SPACE_CLASS

SNIPPET_CONTEXT = 60
_ELLIPSIS = "\u2026"

# A sentence ends at a line break, at ! ? 。 … ؟, or at a full stop followed by a space
# unless the stop closes a one-letter word ("U.S. sanctions", "J. Smith").
# One character class first, so the regex engine skips ahead to it (an alternation of
# branches is scanned several times slower); the look-arounds run only at a full stop
# (the same test as "(?<!\b[^\W\d_])\.(?=\s)").
_SENTENCE_END = re.compile(r"[\n!?.\u3002\u2026\u061f](?:(?<=[^.])|(?=\s)(?<!\b[^\W\d_]\.))")
# A word: a run of letters and digits; in scripts without spaces, every two characters
# count as one word (the average length of a Chinese or Japanese word).
_WORD = re.compile(rf"[{NO_SPACE_CLASS}]{{1,2}}|[^\W_{NO_SPACE_CLASS}]+")


class FieldText:
    """One normalised field, answering which sentence an offset is in and word distances."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._sentence_starts: list[int] | None = None

    def sentence_of(self, offset: int) -> int:
        """Number of the sentence containing text[offset]."""
        return bisect_right(self._starts(), offset) - 1

    def sentence_around(self, offset: int) -> tuple[int, int]:
        """The offsets where the sentence containing text[offset] starts and ends."""
        starts = self._starts()
        number = bisect_right(starts, offset)
        return starts[number - 1], starts[number] if number < len(starts) else len(self.text) + 1

    def _starts(self) -> list[int]:
        starts = self._sentence_starts
        if starts is None:  # found once per field, on the first question
            starts = self._sentence_starts = [0]
            starts += [match.end() for match in _SENTENCE_END.finditer(self.text)]
        return starts

    def words_between(self, first: tuple[int, int], second: tuple[int, int]) -> int:
        """How many words lie between two spans (0 when they touch or overlap)."""
        earlier, later = sorted((first, second))
        if later[0] <= earlier[1]:
            return 0
        return len(_WORD.findall(self.text, earlier[1], later[0]))


def snippet(original: str, start: int, end: int, context: int = SNIPPET_CONTEXT) -> str:
    """About `context` characters either side of original[start:end], on one line.

    The window is trimmed to whole words and "…" marks where the text was cut.
    """
    low, high = max(0, start - context), min(len(original), end + context)
    if low > 0:
        space = original.find(" ", low, start)
        low = space + 1 if space != -1 else low
    if high < len(original):
        space = original.rfind(" ", end, high)
        high = space if space != -1 else high
    middle = " ".join(original[low:high].split())
    return (_ELLIPSIS if low > 0 else "") + middle + (_ELLIPSIS if high < len(original) else "")
