"""Text normalisation that keeps a map back to the original characters.

Matching runs on a folded copy of the text (NFKC, casefolded, ASCII quotes and
dashes, bare Arabic letters, no zero-width characters, runs of spaces collapsed) so
that an analyst's term "North Korea" also finds "ＮＯＲＴＨ\u200bKorea" or
"north  korea". Evidence, however, must point at the article as published.

Speed matters (every article passes here), so the text is not walked character by
character in Python: one regular-expression scan finds the few "irregular" stretches
(odd spaces, accents to compose, full-width forms, curly quotes...). Everything between
them is folded by one `str.casefold()` call, which keeps lengths, so offsets there map
back by simple arithmetic. Each irregular stretch is folded on its own and remembered
as one segment of the offset map.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from newswatch.watchlists.text.irregular import (
    casefolder,
    fold_simple,
    irregular_spans,
    simple_chars,
)
from newswatch.watchlists.text.script import fold

SkipLines = Callable[[str], list[tuple[int, int]]]

_SPACES = re.compile(r"\s+")
_SHARP_RUNS = re.compile("\u00df+")
_SPACE_RUNS = re.compile("  +")


def _fold(chunk: str) -> str:
    return _SPACES.sub(" ", fold(chunk))


# Most irregular stretches are one or two characters (an Arabic ta marbuta, a curly
# quote, "ß") that recur in every article: their folded forms are remembered.
_SHORT = 4
_fold_short = lru_cache(maxsize=4096)(_fold)


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A folded copy of `original` and the map from its offsets back to the original.

    The map is a list of segments, by where they start in `text`. In a linear segment
    character i of `text` came from one original character at a fixed distance; a lump
    (an irregular stretch folded to a different length) came as a whole from
    original[orig_starts[k]:orig_ends[k]].
    """

    original: str
    text: str
    starts: tuple[int, ...]
    orig_starts: tuple[int, ...]
    orig_ends: tuple[int, ...]
    linear: tuple[bool, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text that produced text[start:end]."""
        return self._map(start, first=True), self._map(end - 1, first=False)

    def _map(self, offset: int, *, first: bool) -> int:
        segment = bisect_right(self.starts, offset) - 1
        if segment < 0:  # the text has no segments: it is empty
            return 0
        if self.linear[segment]:
            position = self.orig_starts[segment] + offset - self.starts[segment]
            return position if first else position + 1
        return self.orig_starts[segment] if first else self.orig_ends[segment]


def normalize_term(term: str) -> str:
    """Normalise a watch-list term exactly the way article text is normalised."""
    return normalize(term).text.strip()


def normalize(original: str, skip_lines: SkipLines | None = None) -> NormalizedText:
    """Fold `original`; then blank the lines that `skip_lines(folded text)` returns as spans.

    A blanked line becomes spaces of the same length, so offsets stay valid and no
    match and no sentence can run across it.
    """
    folded = fold_simple(original)
    if folded is not None and len(folded) != len(original):
        return _sharp_s(original, folded, skip_lines)
    if folded is None and "  " in original:
        spaced = _space_runs(original, skip_lines)
        if spaced is not None:
            return spaced
    if folded is None:
        return _by_stretches(original, irregular_spans(original), skip_lines)
    # Folded character by character: the map is one linear segment.
    text = _blank(folded, skip_lines(folded)) if skip_lines is not None else folded
    whole = (0,) if original else ()
    return NormalizedText(original, text, whole, whole, (len(original),)[: len(whole)], (True,) * len(whole))


def _sharp_s(original: str, folded: str, skip_lines: SkipLines | None) -> NormalizedText:
    """`folded` has each "ß" of `original` as "ss": the map has a lump per run of them.

    The segments `_by_stretches` makes, unless a run touches another irregular (simple)
    character, which it would fold in the same lump: then the text goes that way.
    """
    simple = simple_chars()
    starts: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    linear: list[bool] = []
    position = shift = 0
    for run in _SHARP_RUNS.finditer(original):
        start, end = run.span()
        if original[start - 1 : start] in simple or original[end : end + 1] in simple:
            return _by_stretches(original, irregular_spans(original), skip_lines)
        for segment in ((position, start, True), (start, end, False)):
            if segment[1] > segment[0]:
                starts.append(segment[0] + shift)
                orig_starts.append(segment[0])
                orig_ends.append(segment[1])
                linear.append(segment[2])
        shift += end - start
        position = end
    if len(original) > position:
        starts.append(position + shift)
        orig_starts.append(position)
        orig_ends.append(len(original))
        linear.append(True)
    text = _blank(folded, skip_lines(folded)) if skip_lines is not None else folded
    return NormalizedText(original, text, tuple(starts), tuple(orig_starts), tuple(orig_ends), tuple(linear))


def _space_runs(original: str, skip_lines: SkipLines | None) -> NormalizedText | None:
    """`original` when its only irregular stretches are runs of plain spaces (scraped text's
    double spaces), else None: the segments `_by_stretches` makes, without a step per
    character or a regex for the irregular ones.

    Between the runs the text folds character by character (`fold_simple` of the text
    with each run squeezed to one space); each run is folded as any stretch is.
    """
    squeezed = _SPACE_RUNS.sub(" ", original)
    folded = fold_simple(squeezed)
    if folded is None or len(folded) != len(squeezed):
        return None
    builder = _Builder(original)
    position = at = 0  # in `original`, and in `folded` (one character per run)
    for run in _SPACE_RUNS.finditer(original):
        start, end = run.span()
        if start > position:
            builder.add(folded[at : at + start - position], position, start, linear=True)
            at += start - position
        builder.irregular(start, end)
        at += 1
        position = end
    if len(original) > position:
        builder.add(folded[at:], position, len(original), linear=True)
    return builder.normalized(skip_lines)


def _by_stretches(
    original: str, spans: list[tuple[int, int]], skip_lines: SkipLines | None
) -> NormalizedText:
    """Fold each irregular stretch on its own, casefold the text between them."""
    builder = _Builder(original)
    position = 0
    combining = unicodedata.combining
    casefold = casefolder(original)
    for span_start, end in spans:
        start = span_start
        if start > position and combining(original[start]) and not original[start - 1].isspace():
            start -= 1  # an accent composes with the letter before it
        if start > position:
            builder.add(casefold(original[position:start]), position, start, linear=True)
        builder.irregular(start, end)
        position = end
    if len(original) > position:
        builder.add(casefold(original[position:]), position, len(original), linear=True)
    return builder.normalized(skip_lines)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(" " * (end - start))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


class _Builder:
    """Collects the folded pieces and the segments of the offset map."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.pieces: list[str] = []
        self.length = 0
        self.starts: list[int] = []
        self.orig_starts: list[int] = []
        self.orig_ends: list[int] = []
        self.linear: list[bool] = []

    def normalized(self, skip_lines: SkipLines | None) -> NormalizedText:
        text = "".join(self.pieces)
        if skip_lines is not None:
            text = _blank(text, skip_lines(text))
        return NormalizedText(
            self.original,
            text,
            tuple(self.starts),
            tuple(self.orig_starts),
            tuple(self.orig_ends),
            tuple(self.linear),
        )

    def irregular(self, start: int, end: int) -> None:
        chunk = self.original[start:end]
        if chunk.isspace():
            folded = "\n" if "\n" in chunk else " "
            if folded == " " and self.pieces and self.pieces[-1][-1:] in (" ", "\n"):
                folded = ""  # a space after a space (or a removed invisible) adds nothing
        else:
            folded = _fold_short(chunk) if len(chunk) <= _SHORT else _fold(chunk)
        if folded:
            self.add(folded, start, end, linear=len(folded) == end - start)

    def add(self, folded: str, start: int, end: int, *, linear: bool) -> None:
        self.pieces.append(folded)
        self.length += len(folded)
        if linear and self.linear and self.linear[-1] and self.orig_ends[-1] == start:
            # Contiguous with the linear segment before it: the same distance to the
            # original, so that segment simply grows (fewer segments, same map).
            self.orig_ends[-1] = end
            return
        self.starts.append(self.length - len(folded))
        self.orig_starts.append(start)
        self.orig_ends.append(end)
        self.linear.append(linear)
