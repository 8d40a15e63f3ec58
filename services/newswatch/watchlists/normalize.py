"""Text normalisation that keeps a map back to the original characters.

Matching runs on a normalised copy of the text (NFKC, casefolded, ASCII quotes and
dashes, no zero-width characters, runs of spaces collapsed) so that an analyst's term
"North Korea" also finds "ＮＯＲＴＨ\u200bKorea" or "north  korea". Evidence, however,
must point at the article as published, so every normalised character remembers the
span of original characters it came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Typographic punctuation folded to ASCII, so terms written with plain quotes and
# hyphens match text set with curly quotes and en dashes (and vice versa).
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\ufe58": "-",
    }
)

# Invisible characters that scrapers and editors leave inside words; they would
# otherwise split "Pyong\u200byang" into two words.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


# Runs of ASCII whitespace and runs of everything else (a fixed pattern, not user input).
_TOKENS = re.compile(r"\s+|\S+")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalised copy of `original`; character i came from original[starts[i]:ends[i]]."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text that produced normalised text[start:end]."""
        return self.starts[start], self.ends[end - 1]


def normalize_term(term: str) -> str:
    """Normalise a watch-list term exactly the way article text is normalised."""
    return _Builder(term).add_span(0, len(term)).text().strip()


def normalize(original: str, skip_line: Callable[[str], bool] | None = None) -> NormalizedText:
    """Normalise `original`, leaving out every line for which `skip_line(normalised line)` is true.

    A skipped line still ends in a line break, so that no match and no sentence can
    run across the place where it was.
    """
    builder = _Builder(original)
    for start, end in _line_spans(original):
        mark = builder.mark()
        builder.add_span(start, end)
        if skip_line is not None and skip_line(builder.since(mark).strip()):
            builder.rewind(mark)
        if end < len(original):
            builder.add_span(end, end + 1)  # the line break itself
    return builder.build()


def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the lines of `text`, without their "\\n"."""
    start = 0
    while (newline := text.find("\n", start)) != -1:
        yield start, newline
        start = newline + 1
    yield start, len(text)


def _cluster_ends(text: str, start: int, end: int) -> Iterator[int]:
    """End offsets of the clusters (a starter plus its combining marks) in text[start:end].

    NFKC is applied per cluster, not per character, so that "e" + combining acute
    composes to "é" like the precomposed character an analyst would type.
    """
    for i in range(start + 1, end):
        if unicodedata.combining(text[i]) == 0:
            yield i
    if end > start:
        yield end


class _Builder:
    """Accumulates normalised characters and their original spans."""

    def __init__(self, original: str) -> None:
        self._original = original
        self._chars: list[str] = []
        self._starts: list[int] = []
        self._ends: list[int] = []

    def mark(self) -> int:
        return len(self._chars)

    def since(self, mark: int) -> str:
        return "".join(self._chars[mark:])

    def rewind(self, mark: int) -> None:
        del self._chars[mark:], self._starts[mark:], self._ends[mark:]

    def text(self) -> str:
        return "".join(self._chars)

    def build(self) -> NormalizedText:
        return NormalizedText(self._original, self.text(), tuple(self._starts), tuple(self._ends))

    def add_span(self, start: int, end: int) -> _Builder:
        chunk = self._original[start:end]
        if chunk.isascii():
            # Fast path (most news text): NFKC is the identity and casefold is lower(),
            # so whole words are copied at once and only spaces need collapsing.
            for token in _TOKENS.finditer(chunk.lower().translate(_PUNCTUATION)):
                low, high = start + token.start(), start + token.end()
                if token.group().isspace():
                    self._add("\n" if "\n" in token.group() else " ", low, high)
                else:
                    self._chars.extend(token.group())
                    self._starts.extend(range(low, high))
                    self._ends.extend(range(low + 1, high + 1))
            return self
        cluster_start = start
        for cluster_end in _cluster_ends(self._original, start, end):
            cluster = self._original[cluster_start:cluster_end]
            folded = unicodedata.normalize("NFKC", cluster).casefold()
            for char in unicodedata.normalize("NFKC", folded).translate(_PUNCTUATION):
                if char not in _INVISIBLE:
                    self._add(char, cluster_start, cluster_end)
            cluster_start = cluster_end
        return self

    def _add(self, char: str, start: int, end: int) -> None:
        if char.isspace() and char != "\n":
            char = " "
        if char == " " and (not self._chars or self._chars[-1] in " \n"):
            if self._chars and self._chars[-1] == " ":
                self._ends[-1] = end  # one space stands for the whole run
            return
        self._chars.append(char)
        self._starts.append(start)
        self._ends.append(end)
