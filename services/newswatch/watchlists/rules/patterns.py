"""The term notation analysts write: words, with an optional "*" at either end of a word.

"sanksi*" is the stem plus any letters ("sanksinya"), "*sanktionen" any letters plus
the word ("Wirtschaftssanktionen"), "поставк* оружия" any ending on the first word.
Everything else is literal text: there is no user regex, so there is nothing that can
make the matcher backtrack or hang.
"""

from __future__ import annotations

from functools import lru_cache

from newswatch.watchlists.rules.model import Pattern, Segment
from newswatch.watchlists.text.normalize import normalize_term
from newswatch.watchlists.text.script import is_word_char

WILDCARD = "*"
# The matcher's cost per character grows with the longest term; no real term is longer.
MAX_TERM_CHARS = 100
_REGEX_CHARS = frozenset("\\^$|?+()[]{}")


# A desk's thousands of query lists write the same sector words again and again (on
# the same line of their files): each spelling is folded and checked once (a fifth of
# reading 10,000 lists), and each term is one Pattern, shared, as patterns are immutable.
# Bounded, as a worker reloads for months; problems are raised, never cached.
@lru_cache(maxsize=1 << 16)
def parse_pattern(written: str, language: str, line: int) -> Pattern:
    """Parse one term as written in a watch-list; ValueError says what to change."""
    return Pattern(written, language, line, _segments(written))


@lru_cache(maxsize=1 << 16)
def _segments(written: str) -> tuple[Segment, ...]:
    core = written.strip()
    if len(core) > MAX_TERM_CHARS:
        raise ValueError(
            f"the term '{core[:30]}…' is {len(core)} characters long; terms may have at most "
            f"{MAX_TERM_CHARS} (split it into shorter terms or use an 'all' rule)"
        )
    odd = sorted(_REGEX_CHARS.intersection(core))
    if odd:
        raise ValueError(
            f"the term '{written}' contains {' '.join(odd)}: terms are plain words, not regular "
            "expressions; list each form on its own line, or use '*' for endings"
        )
    words = normalize_term(core).split(" ")
    segments: list[Segment] = []
    current: list[str] = []
    open_start = False
    for word in words:
        stem = word.strip(WILDCARD)
        _check_word(written, word, stem, " ".join([*current, stem]))
        if word.startswith(WILDCARD) and current:
            segments.append(Segment(" ".join(current), open_start, open_end=False))
            current = []
        if not current:
            open_start = word.startswith(WILDCARD)
        current.append(stem)
        if word.endswith(WILDCARD) and len(word) > 1:
            segments.append(Segment(" ".join(current), open_start, open_end=True))
            current = []
    if current:
        segments.append(Segment(" ".join(current), open_start, open_end=False))
    if not any(is_word_char(char) for segment in segments for char in segment.literal):
        raise ValueError(f"the term '{written}' has no letters or digits to look for")
    return tuple(segments)


def _check_word(written: str, word: str, stem: str, phrase: str) -> None:
    if WILDCARD in stem:
        raise ValueError(
            f"in '{written}' a '*' may only stand at the start or end of a word, "
            "as in 'sanksi*' or '*sanktionen'"
        )
    if stem == word:
        return
    if not stem:
        raise ValueError(f"in '{written}' a '*' stands alone; it must be attached to a word")
    if len(phrase if word.endswith(WILDCARD) else stem) < _shortest_stem(stem):
        raise ValueError(
            f"the stem '{stem}' in '{written}' is too short and would match far too many words; "
            "write a longer stem"
        )
    if (word.startswith(WILDCARD) and not is_word_char(stem[0])) or (
        word.endswith(WILDCARD) and not is_word_char(stem[-1])
    ):
        raise ValueError(f"in '{written}' the '*' must touch a letter, as in 'sanksi*'")


def _shortest_stem(stem: str) -> int:
    """Three letters for alphabets; two for Hangul and CJK, whose characters are syllables."""
    return 2 if any(ord(char) >= 0x1100 for char in stem) else 3
