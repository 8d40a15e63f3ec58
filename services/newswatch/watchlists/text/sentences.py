"""Sentences, word positions and evidence snippets: the text helpers rules need.

Both are computed lazily, per field, and only when a rule asks: most articles hit no
rule with a sentence or word-distance condition, and they should not pay for one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cache
from itertools import accumulate, repeat
from operator import add, and_, sub

import numpy as np
import numpy.typing as npt

from newswatch.watchlists.text.script import NO_SPACE_CLASS

SNIPPET_CONTEXT = 60
_ELLIPSIS = "\u2026"

# A sentence ends at a line break, at ! ? 。 … ؟ and the Devanagari danda ।, or at a full
# stop followed by a space unless the stop closes a one-letter word ("U.S. sanctions", "J. Smith").
# One character class first, so the regex engine skips ahead to it (an alternation of
# branches is scanned several times slower); the look-arounds run only at a full stop
# (the same test as "(?<!\b[^\W\d_])\.(?=\s)").
_SENTENCE_END = re.compile(r"[\n!?.\u3002\u2026\u061f\u0964\u0965](?:(?<=[^.])|(?=\s)(?<!\b[^\W\d_]\.))")
_SENTENCE_SPLIT = re.compile(f"({_SENTENCE_END.pattern})")
# Thai puts no full stop at a sentence's end, only a space: a space between Thai letters
# ends a sentence. Looked for only in text that has Thai letters.
_THAI = re.compile("[\u0e01-\u0e5b]")
_THAI_SENTENCE_END = re.compile("(?<=[\u0e01-\u0e5b]) +(?=[\u0e01-\u0e5b])")
# A word: a run of letters and digits; in scripts without spaces, every two characters
# count as one word (the average length of a Chinese or Japanese word).
_WORD = re.compile(rf"[{NO_SPACE_CLASS}]{{1,2}}|[^\W_{NO_SPACE_CLASS}]+")
# The runs `_WORD` reads its words from: the two classes are disjoint, so a stretch of
# text holds one word per spaced run it touches and one per two characters of a
# no-space run (counted from where the stretch enters the run).
# Word distances are mostly asked between nearby words ("within 8 words"): a short
# stretch is cheaper to count on the spot than indexing the whole field, and counting
# it is O(1) per question all the same. Once the field is indexed (a query's mentions
# ask for word positions from the field's start), every question is asked of the index.
LOCAL_WORDS_SPAN = 200
_SPACED_RUNS = re.compile(rf"[^\W_{NO_SPACE_CLASS}]+")
_NO_SPACE_RUNS = re.compile(f"[{NO_SPACE_CLASS}]+")
_SPACED, _NO_SPACE = 1, 2  # a character's class in `_bmp_classes` (0: no word character)


class FieldText:
    """One normalised field, answering which sentence an offset is in and word distances."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._sentence_starts: list[int] | None = None
        self._runs: tuple[_Runs, _Runs] | None = None
        self._word_starts: list[int] | None = None
        self._classes: npt.NDArray[np.uint8] | None = None  # both of the above read them

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
            # A split keeps each sentence end (the group): text, end, text, end, ...; the
            # running lengths at the ends are where sentences start (summed in C).
            ends = list(accumulate(map(len, _SENTENCE_SPLIT.split(self.text))))
            starts = self._sentence_starts = [0, *ends[1::2]]
            if _THAI.search(self.text):
                starts += [match.end() for match in _THAI_SENTENCE_END.finditer(self.text)]
                starts.sort()
        return starts

    def words_in(self, low: int, high: int) -> int:
        """len(_WORD.findall(text, low, high)): counted there up to LOCAL_WORDS_SPAN characters
        until the field's runs are built, else from them by bisection (O(log n))."""
        if high <= low:
            return 0
        runs = self._runs
        if runs is None and high - low <= LOCAL_WORDS_SPAN:
            return len(_WORD.findall(self.text, low, high))
        if runs is None:
            classes = self._character_classes()
            runs = self._runs = (
                _Runs(*_run_edges(classes, _SPACED), paired=False),
                _Runs(*_run_edges(classes, _NO_SPACE), paired=True),
            )
        return runs[0].words_in(low, high) + runs[1].words_in(low, high)

    def words_before(self, offset: int) -> int:
        """words_in(0, offset), the word position of a query's mention: one bisection.

        A stretch from the field's start holds one word per word that starts in it (a
        spaced run, or every second character of a no-space run from the run's start),
        so the field's word starts, found once, answer it directly. Up to
        LOCAL_WORDS_SPAN characters (a title) are counted on the spot instead.
        """
        starts = self._word_starts
        if starts is None:
            if offset <= LOCAL_WORDS_SPAN:
                return len(_WORD.findall(self.text, 0, offset))
            starts = self._word_starts = _word_starts(self._character_classes())
        return bisect_left(starts, offset)

    def _character_classes(self) -> npt.NDArray[np.uint8]:
        if self._classes is None:
            self._classes = _classes(self.text)
        return self._classes


@cache
def _bmp_classes() -> npt.NDArray[np.uint8]:
    """Per code point of the Basic Multilingual Plane, its class: _SPACED, _NO_SPACE or 0.

    Found by the same two patterns `_WORD` is made of, once (about 20 ms).
    """
    plane = "".join(map(chr, range(0x10000)))
    table = np.zeros(0x10000, dtype=np.uint8)
    for value, runs in ((_SPACED, _SPACED_RUNS), (_NO_SPACE, _NO_SPACE_RUNS)):
        for found in runs.finditer(plane):
            table[found.start() : found.end()] = value
    return table


def _classes(text: str) -> npt.NDArray[np.uint8]:
    """The class of each character of `text`, looked up in C (a regex reads a field ~4 x slower)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _bmp_classes()
    if not text or int(codes.max()) < 0x10000:
        return table.take(codes)
    # Beyond the plane (CJK extensions, emoji): each distinct character asked of the
    # patterns once, then spread back in one step (O(n log n), however many distinct).
    classes = table.take(np.minimum(codes, 0xFFFF))
    beyond = codes > 0xFFFF
    distinct, where = np.unique(codes[beyond], return_inverse=True)
    values = [_class_of(chr(code)) for code in distinct.tolist()]
    classes[beyond] = np.array(values, dtype=np.uint8)[where]
    return classes


def _class_of(char: str) -> int:
    return _NO_SPACE if _NO_SPACE_RUNS.match(char) else _SPACED if _SPACED_RUNS.match(char) else 0


def _run_edges(classes: npt.NDArray[np.uint8], value: int) -> tuple[list[int], list[int]]:
    """Where the runs of characters of class `value` start, and where they end (exclusive)."""
    inside = np.zeros(len(classes) + 2, dtype=bool)  # a False either side: every run has two edges
    np.equal(classes, value, out=inside[1:-1])
    edges = np.flatnonzero(inside[1:] != inside[:-1])
    return edges[0::2].tolist(), edges[1::2].tolist()


class _Runs:
    """The field's runs of one kind of word characters, with the words before each: O(n) to build.

    Built without a Python step per word or character (`_classes` and `_run_edges` in
    numpy, `accumulate` and `map` in C): articles have hundreds of words and each query
    or rule with a word distance needs these. In a `paired` (no-space) run every two
    characters are a word; `doubled[i]` is twice the words of runs before run i
    (2 x ceil(length / 2) is length + its last bit, summed in C).
    """

    def __init__(self, starts: list[int], ends: list[int], *, paired: bool) -> None:
        self.starts = starts
        self.ends = ends
        self.paired = paired
        if paired:
            lengths = list(map(sub, self.ends, self.starts))
            self.doubled = [0, *accumulate(map(add, lengths, map(and_, lengths, repeat(1))))]

    def _clipped(self, run: int, low: int, high: int) -> int:
        """Words `_WORD` reads in the part of run `run` between low and high."""
        length = min(self.ends[run], high) - max(self.starts[run], low)
        if length <= 0:
            return 0
        return (length + 1) // 2 if self.paired else 1

    def words_in(self, low: int, high: int) -> int:
        """Words in text[low:high]: two bisections and the two runs cut at the ends."""
        first = bisect_right(self.ends, low)  # the first run ending after low
        last = bisect_left(self.starts, high) - 1  # the last run starting before high
        if last < first:
            return 0
        if last == first:
            return self._clipped(first, low, high)
        whole = (self.doubled[last] - self.doubled[first + 1]) // 2 if self.paired else last - first - 1
        return self._clipped(first, low, high) + whole + self._clipped(last, low, high)


def _word_starts(classes: npt.NDArray[np.uint8]) -> list[int]:
    """Where each word `_WORD` reads from the field's start begins, in text order: the first
    character of each spaced run, and every second one of a no-space run from its start
    (`classes`: the field's characters' classes)."""
    before = np.zeros(len(classes), dtype=np.uint8)  # the class of the character before
    before[1:] = classes[:-1]
    starts = (classes == _SPACED) & (before != _SPACED)
    no_space = classes == _NO_SPACE
    if no_space.any():
        offsets = np.arange(len(classes))
        run_start = np.maximum.accumulate(np.where(no_space & (before != _NO_SPACE), offsets, 0))
        starts |= no_space & ((offsets - run_start) % 2 == 0)
    found: list[int] = np.flatnonzero(starts).tolist()
    return found


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
