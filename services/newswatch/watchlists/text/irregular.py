"""Where a text has characters that `str.casefold()` alone does not fold, found fast.

The normaliser folds everything between these "irregular" stretches with one
`str.casefold()` call. Finding them with Python's regex engine costs about 10 ns per
character even when there are none (most articles in Latin, Cyrillic, Hangul, Kana),
so non-ASCII text is first scanned as UTF-8 by a Hyperscan database of the same
character class: one report per irregular character, none at all for most articles.
Texts the database does not cover (runs of spaces, characters beyond the BMP,
unpaired surrogates) keep the regular expressions.

Most irregular characters are "simple": folded to one character that needs no
context (Arabic ta marbuta, full-width commas, curly quotes). A text whose irregular
characters are all simple folds with one `str.replace` per distinct character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache

import hyperscan

from newswatch.watchlists.text.script import fold, irregular_class

# Whitespace that is not one plain space or a line break must be folded to a space.
ODD_SPACE = "\t\r\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ASCII_ODD = ("`", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
_LAST_BMP = 0xFFFF
_SHARP_S = ord("\u00df")  # "ß": casefolded alone, to "ss"
# Latin-1 characters casefolded within Latin-1 (all but µ and ß), as a byte table.
_LATIN1_FOLDS_OUTSIDE = (b"\xb5", b"\xdf")
_LATIN1_FOLD = bytes(
    ord(chr(code).casefold()) if chr(code).encode("latin-1") not in _LATIN1_FOLDS_OUTSIDE else code
    for code in range(256)
)


def casefolder(text: str) -> Callable[[str], str]:
    """`str.casefold`, or for Latin-1 text (Spanish, French...) and its pieces a byte table."""
    if text.isascii():
        return str.casefold
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return str.casefold
    return _latin1_casefold


def _latin1_casefold(text: str) -> str:
    raw = text.encode("latin-1")
    if _LATIN1_FOLDS_OUTSIDE[0] in raw or _LATIN1_FOLDS_OUTSIDE[1] in raw:
        return text.casefold()
    return raw.translate(_LATIN1_FOLD).decode("latin-1")


@cache
def irregular_chars() -> re.Pattern[str]:
    # One class of BMP characters: the regex engine scans for it several times faster
    # than for an alternation.
    return re.compile(f"[{irregular_class()}{ODD_SPACE}]+")


@cache
def irregular_full() -> re.Pattern[str]:
    # Also runs of spaces and characters beyond the BMP (emoji, rare ideographs).
    return re.compile(f"[^\\S\\n]{{2,}}|[{irregular_class()}{ODD_SPACE}\U00010000-\U0010ffff]+")


def irregular_spans(original: str) -> list[tuple[int, int]]:
    """The maximal stretches of `original` that cannot be folded by `str.casefold()` alone."""
    if original.isascii():
        if "  " not in original and not any(char in original for char in _ASCII_ODD):
            return []
        return [match.span() for match in irregular_full().finditer(original)]
    if "  " not in original:
        positions = _positions(original)
        if positions is not None:
            return _runs(positions)
    return regex_spans(original)


def regex_spans(original: str) -> list[tuple[int, int]]:
    """`irregular_spans` by regex alone: what it falls back on, and the reference its
    Hyperscan path is tested against."""
    astral = len(original.encode("utf-16-le")) != 2 * len(original)
    pattern = irregular_full() if astral or "  " in original else irregular_chars()
    return [match.span() for match in pattern.finditer(original)]


def fold_simple(original: str) -> str | None:
    """`original` folded, when that goes character by character; else None.

    That is when it has no irregular characters, or only simple ones (each replaced by
    its folded form before the text is casefolded) and "ß", which `str.casefold()`
    folds to "ss" on its own: the one way the result can be longer than `original`.
    """
    if original.isascii():
        if "  " in original or any(char in original for char in _ASCII_ODD):
            return None
        return original.casefold()
    if "  " in original:
        return None
    try:
        encoded = original.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate
        return None
    present: set[int] = set()

    def report(found: int, _start: int, _end: int, _flags: int, _context: object) -> None:
        present.add(found)

    # Each simple character is reported once at most, any other irregular one as id 0.
    _simple_database().scan(encoded, match_event_handler=report)
    if 0 in present:
        return None
    text = original
    present.discard(_SHARP_S)
    for code in present:
        char = chr(code)
        text = text.replace(char, simple_chars()[char])
    return casefolder(text)(text)


@cache
def simple_chars() -> dict[str, str]:
    """Irregular characters folded to one character whatever their neighbours, and that one.

    Not spaces, marks or jamo, which join their neighbours; the character and its
    folded form start with a starter that composes with nothing before it, and the
    folded form is regular (casefold leaves it): the text folds character by character.
    """
    table: dict[str, str] = {}
    for code in _codes():
        char = chr(code)
        folded = fold(char)
        decomposed = unicodedata.normalize("NFKD", char)
        if (
            len(folded) == 1
            and not char.isspace()
            and not folded.isspace()
            and _starter(char)
            and _starter(decomposed[0])  # nothing before it can compose with it
            and _starter(folded)
            and not any(_is_jamo(ord(part)) for part in decomposed)
            and not irregular_chars().fullmatch(folded)
            and folded.casefold() == folded
        ):
            table[char] = folded
    return table


def _starter(char: str) -> bool:
    """Not a mark, not a jamo: a character that begins a cluster of its own."""
    return (
        unicodedata.combining(char) == 0 and unicodedata.category(char)[0] != "M" and not _is_jamo(ord(char))
    )


def _is_jamo(code: int) -> bool:
    return 0x1100 <= code <= 0x11FF or 0xA960 <= code <= 0xA97F or 0xD7B0 <= code <= 0xD7FF


@cache
def _codes() -> tuple[int, ...]:
    """The BMP code points of the irregular class, exactly as the regex reads it."""
    single = re.compile(irregular_chars().pattern[:-1])  # the class without "+"
    return tuple(code for code in range(_LAST_BMP + 1) if single.fullmatch(chr(code)))


def _class(codes: Iterable[int]) -> str:
    """A Hyperscan UTF-8 character class body for BMP code points (surrogates left out)."""
    ranges: list[list[int]] = []
    for code in codes:
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates are not characters in UTF-8
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    # Characters beyond the BMP are irregular too (and send the text to the regex).
    return "".join(f"\\x{{{low:x}}}-\\x{{{high:x}}}" for low, high in ranges) + "\\x{10000}-\\x{10ffff}"


@cache
def _database() -> hyperscan.Database:
    """Every irregular character, each occurrence reported."""
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    expression = f"[{_class(_codes())}]".encode()
    database.compile(expressions=[expression], ids=[0], elements=1, flags=[hyperscan.HS_FLAG_UTF8])
    return database


@cache
def _simple_database() -> hyperscan.Database:
    """Each simple character and "ß" (id: its code point) and any other irregular one (id 0), once."""
    simple = sorted([*(ord(char) for char in simple_chars()), _SHARP_S])
    others = sorted(set(_codes()) - set(simple))
    expressions = [f"[{_class(others)}]".encode(), *(f"\\x{{{code:x}}}".encode() for code in simple)]
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=expressions,
        ids=[0, *simple],
        elements=len(expressions),
        flags=[hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SINGLEMATCH] * len(expressions),
    )
    return database


def _positions(original: str) -> list[int] | None:
    """Offsets of the irregular characters, by Hyperscan; None when the regex must decide."""
    try:
        encoded = original.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate
        return None
    ends: list[int] = []
    append = ends.append

    def collect(_id: int, _start: int, end: int, _flags: int, _context: object) -> None:
        append(end)

    _database().scan(encoded, match_event_handler=collect)
    positions = []
    previous = count = 0
    for end in ends:
        count += len(encoded[previous:end].decode("utf-8"))
        previous = end
        if ord(original[count - 1]) > _LAST_BMP:
            return None
        positions.append(count - 1)
    return positions


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = end = -1
    for position in positions:
        if position != end:
            if end >= 0:
                spans.append((start, end))
            start = position
        end = position + 1
    if end >= 0:
        spans.append((start, end))
    return spans
