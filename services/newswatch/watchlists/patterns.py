"""The term notation analysts write: a word or phrase, with an optional "*" at either end.

"sanksi*" is the stem plus any letters ("sanksinya"), "*sanktionen" any letters plus
the word ("Wirtschaftssanktionen"). Everything else is literal text: there is no user
regex, so there is nothing to get wrong and nothing that can hang the matcher.
"""

from __future__ import annotations

from newswatch.watchlists.matcher import is_word_char
from newswatch.watchlists.model import Pattern
from newswatch.watchlists.normalize import normalize_term

WILDCARD = "*"


def parse_pattern(written: str, language: str, line: int) -> Pattern:
    """Parse one term as written in a watch-list; ValueError says what to change."""
    core = written.strip()
    open_start = core.startswith(WILDCARD)
    open_end = core.endswith(WILDCARD) and len(core) > 1
    core = core.removeprefix(WILDCARD) if open_start else core
    core = core.removesuffix(WILDCARD) if open_end else core
    if WILDCARD in core:
        raise ValueError(
            f"in '{written}' a '*' may only stand at the start or end of a term, "
            "as in 'sanksi*' or '*sanktionen'"
        )
    phrase = normalize_term(core)
    if not any(is_word_char(char) for char in phrase):
        raise ValueError(f"the term '{written}' has no letters or digits to look for")
    if (open_start or open_end) and len(phrase) < _shortest_stem(phrase):
        raise ValueError(
            f"the stem in '{written}' is too short and would match far too many words; write a longer stem"
        )
    if (open_start and not is_word_char(phrase[0])) or (open_end and not is_word_char(phrase[-1])):
        raise ValueError(f"in '{written}' the '*' must touch a letter, as in 'sanksi*'")
    return Pattern(written, phrase, open_start, open_end, language, line)


def _shortest_stem(phrase: str) -> int:
    """Three letters for alphabets; two for Hangul and CJK, whose characters are syllables."""
    return 2 if any(ord(char) >= 0x1100 for char in phrase) else 3
