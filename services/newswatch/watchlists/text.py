"""Sentence spans and evidence snippets: the small text helpers the engine needs.

Exclusions are judged per sentence (the WATCHLISTS.md rule: a sentence must give news
on the subject), and snippets show an analyst the match in its context.
"""

from __future__ import annotations

from bisect import bisect_right

SNIPPET_CONTEXT = 60
_ELLIPSIS = "\u2026"
_HARD_STOPS = frozenset("\n!?\u3002\u2026")


class Sentences:
    """Sentence boundaries of a normalised text, for asking which sentence an offset is in."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        for index, char in enumerate(text):
            if char in _HARD_STOPS or (char == "." and _ends_sentence(text, index)):
                self._starts.append(index + 1)

    def index_of(self, offset: int) -> int:
        """Number of the sentence containing text[offset]."""
        return bisect_right(self._starts, offset) - 1


def _ends_sentence(text: str, index: int) -> bool:
    """A full stop ends a sentence when a space follows and it does not close an initial.

    "U.S. sanctions" and "J. Smith" keep their sentence together; a real sentence end
    rarely follows a one-letter word.
    """
    if index + 1 < len(text) and not text[index + 1].isspace():
        return False
    return not (index >= 1 and text[index - 1].isalpha() and (index < 2 or not text[index - 2].isalpha()))


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
