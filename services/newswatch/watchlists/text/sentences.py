"""Sentences, word positions and evidence snippets: the text helpers rules need.

Both are computed lazily, per field, and only when a rule asks: most articles hit no
rule with a sentence or word-distance condition, and they should not pay for one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from newswatch.watchlists.text.script import NO_SPACE_CLASS

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
# The runs `_WORD` reads its words from: the two classes are disjoint, so a stretch of
# text holds one word per spaced run it touches and one per two characters of a
# no-space run (counted from where the stretch enters the run). Group 1: no-space.
_RUN = re.compile(rf"([{NO_SPACE_CLASS}]+)|[^\W_{NO_SPACE_CLASS}]+")


class FieldText:
    """One normalised field, answering which sentence an offset is in and word distances."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._sentence_starts: list[int] | None = None
        self._runs: _Runs | None = None

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

    def words_in(self, low: int, high: int) -> int:
        """len(_WORD.findall(text, low, high)), from the field's runs by bisection: O(log n)."""
        if high <= low:
            return 0
        runs = self._runs
        if runs is None:
            runs = self._runs = _Runs(self.text)
        return runs.words_in(low, high)


class _Runs:
    """The field's runs of word characters, with the words counted before each: O(n) to build."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.paired: list[bool] = []  # a no-space run: a word per two characters
        self.before = [0]  # words in the runs before run i, whole
        for match in _RUN.finditer(text):
            start, end = match.span()
            paired = match.start(1) != -1
            self.starts.append(start)
            self.ends.append(end)
            self.paired.append(paired)
            self.before.append(self.before[-1] + ((end - start + 1) // 2 if paired else 1))

    def _clipped(self, run: int, low: int, high: int) -> int:
        """Words `_WORD` reads in the part of run `run` between low and high."""
        length = min(self.ends[run], high) - max(self.starts[run], low)
        if length <= 0:
            return 0
        return (length + 1) // 2 if self.paired[run] else 1

    def words_in(self, low: int, high: int) -> int:
        """Words in text[low:high]: two bisections and the two runs cut at the ends."""
        first = bisect_right(self.ends, low)  # the first run ending after low
        last = bisect_left(self.starts, high) - 1  # the last run starting before high
        if last < first:
            return 0
        if last == first:
            return self._clipped(first, low, high)
        whole = self.before[last] - self.before[first + 1]
        return self._clipped(first, low, high) + whole + self._clipped(last, low, high)


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
