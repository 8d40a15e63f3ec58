"""Find every watch-list pattern in a text in one pass, in time linear in the text.

All patterns of all watch-lists go into one Aho-Corasick automaton, built once. No
regular expression is ever built from an analyst's term, so no term, however odd, can
make matching backtrack or hang. Word boundaries and the "*" stems are checked around
each raw occurrence in constant time per occurrence (amortised).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from newswatch.watchlists.automaton import Automaton
from newswatch.watchlists.model import Pattern

T = TypeVar("T")

# Scripts written without spaces between words: a term there has no word boundary to
# respect ("北朝鮮" inside "北朝鮮政府" is a real mention).
_NO_SPACE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)


def is_word_char(char: str) -> bool:
    """Letters, digits and combining marks make up words; everything else separates them."""
    return unicodedata.category(char)[0] in "LNM"


def is_no_space_char(char: str) -> bool:
    """True for characters of scripts that do not put spaces between words."""
    code = ord(char)
    return code >= _NO_SPACE_RANGES[0][0] and any(low <= code <= high for low, high in _NO_SPACE_RANGES)


def _joins(text: str, inside: int, outside: int) -> bool:
    """Whether text[outside] continues the word that text[inside] belongs to."""
    if not 0 <= outside < len(text):
        return False
    near, far = text[inside], text[outside]
    return (
        is_word_char(far) and is_word_char(near) and not is_no_space_char(far) and not is_no_space_char(near)
    )


@dataclass(frozen=True, slots=True)
class Occurrence(Generic[T]):
    """A pattern found at text[start:end] (normalised offsets, stems extended to the word)."""

    payload: T
    pattern: Pattern
    start: int
    end: int


class Matcher(Generic[T]):
    """A compiled set of patterns, each carrying a payload that says what it is for."""

    def __init__(self, entries: Iterable[tuple[Pattern, T]]) -> None:
        grouped: dict[str, list[tuple[int, Pattern, T]]] = {}
        for number, (pattern, payload) in enumerate(entries):
            grouped.setdefault(pattern.phrase, []).append((number, pattern, payload))
        self._phrases = list(grouped)
        self._groups = list(grouped.values())
        self._automaton = Automaton(self._phrases)

    def find(self, text: str) -> list[Occurrence[T]]:
        """Every occurrence that respects word boundaries, ordered by where it ends."""
        found: list[Occurrence[T]] = []
        # Last accepted span per pattern: later raw hits inside the same stemmed word
        # are the same evidence, and skipping them keeps long words linear.
        last: dict[int, tuple[int, int]] = {}
        for key, raw_end in self._automaton.occurrences(text):
            raw_start = raw_end - len(self._phrases[key])
            for number, pattern, payload in self._groups[key]:
                seen = last.get(number)
                if seen is not None and seen[0] <= raw_start and raw_end <= seen[1]:
                    continue
                span = _accept(text, pattern, raw_start, raw_end)
                if span is not None:
                    last[number] = span
                    found.append(Occurrence(payload, pattern, span[0], span[1]))
        return found


def _accept(text: str, pattern: Pattern, start: int, end: int) -> tuple[int, int] | None:
    """The occurrence's span after applying boundaries and stems, or None to reject it."""
    if pattern.open_start:
        while _joins(text, start, start - 1):
            start -= 1
    elif _joins(text, start, start - 1):
        return None
    if pattern.open_end:
        while _joins(text, end - 1, end):
            end += 1
    elif _joins(text, end - 1, end):
        return None
    return start, end
