"""What counts as a word character, which scripts go without spaces, and how text is folded.

One place for the character-level rules both the normaliser and the matcher rely on,
so that a term and the article text are always treated alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Scripts written without spaces between words: a term there has no word boundary to
# respect ("北朝鮮" inside "北朝鮮政府" is a real mention).
NO_SPACE_CLASS = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u31f0-\u31ff"  # Katakana extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003ffff"  # CJK extensions B and later
)
_NO_SPACE = re.compile(f"[{NO_SPACE_CLASS}]")

# Typographic punctuation folded to ASCII, so terms written with plain quotes and
# hyphens match text set with curly quotes and en dashes (and vice versa).
PUNCTUATION = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58", "-"),
    }
)

# Arabic spelling variants and vowel marks: news sites write the same word with and
# without hamza seats, tatweel and harakat, so all of them fold to the bare letters.
ARABIC = str.maketrans(
    {
        **dict.fromkeys("\u0623\u0625\u0622\u0671", "\u0627"),  # alef with hamza/madda/wasla
        "\u0649": "\u064a",  # alef maqsura -> ya
        "\u06cc": "\u064a",  # Farsi ya
        "\u06a9": "\u0643",  # Farsi kaf
        "\u0629": "\u0647",  # ta marbuta -> ha
        **dict.fromkeys([chr(code) for code in range(0x064B, 0x0660)], None),  # harakat
        "\u0670": None,  # superscript alef
        "\u0640": None,  # tatweel
    }
)

# Letter variants of the scripts added with Turkish, Ukrainian, Persian, Hebrew and Hindi
# (one table, so it can be read and merged apart from the others). Each language's news
# writes the same word in several ways; all of them fold to one.
SCRIPT_LETTERS = str.maketrans(
    {
        # Turkish: dotless "ı" (and "I", which casefolds to "i") meet dotted "i", so "IRAK",
        # "Irak" and "ırak" are one word; "İ" casefolds to "i" + a combining dot (see
        # CONTEXT_FOLDS) and the precomposed form is folded here.
        "\u0130": "i",
        "\u0131": "i",
        # Ukrainian: the apostrophe is typed as the modifier letter "ʼ" as often as "'".
        "\u02bc": "'",
        # Persian: "ە" (heh-goal, left from "ۀ" once its hamza is dropped) is heh;
        # Persian and Arabic-Indic digits are ASCII digits ("سوخو-۳۵" = "سوخو-35").
        "\u06d5": "\u0647",
        **{chr(0x06F0 + digit): str(digit) for digit in range(10)},
        **{chr(0x0660 + digit): str(digit) for digit in range(10)},
        # Hebrew: geresh and gershayim are the ASCII quotes news sites mostly type
        # ("ארה״ב" = "ארה\"ב"), maqaf a hyphen; vowel points (niqqud) and cantillation go.
        "\u05f3": "'",
        "\u05f4": '"',
        "\u05be": "-",
        **dict.fromkeys([chr(code) for code in range(0x0591, 0x05BE)], None),
        **dict.fromkeys("\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7", None),
        # Devanagari: the nukta of Urdu-origin sounds is written or left out ("ज़खीरा",
        # "जखीरा"), chandrabindu and anusvara are used for each other, and English loans
        # are written with or without the candra vowels ("डॉलर", "डालर").
        "\u093c": None,
        "\u0901": "\u0902",
        "\u0949": "\u093e",
        "\u0945": "\u0947",
        "\u0911": "\u0906",
        "\u090d": "\u090f",
        # Devanagari, Thai digits.
        **{chr(0x0966 + digit): str(digit) for digit in range(10)},
        **{chr(0x0E50 + digit): str(digit) for digit in range(10)},
    }
)

# Variants of two characters, replaced after the tables: "İ" casefolded ("i" + combining
# dot above) is "i"; a Devanagari nasal with virama is the anusvara that Hindi writes for
# it as often ("प्रतिबन्ध" = "प्रतिबंध"). The normaliser folds the virama's stretch with
# the letter before it, so both spellings fold alike wherever they stand.
CONTEXT_FOLDS = {
    "i\u0307": "i",
    **{f"{nasal}\u094d": "\u0902" for nasal in "\u0919\u091e\u0923\u0928\u092e"},
}
_CONTEXT = re.compile("|".join(CONTEXT_FOLDS))

# Invisible characters that scrapers and editors leave inside words; they would
# otherwise split "Pyong\u200byang" into two words.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = str.maketrans(dict.fromkeys(INVISIBLE, None))


# The four tables as one replacement per character (no target is another's source, so
# one pass equals the four in a row), applied with a regex: `str.translate` with a dict
# looks every character up in Python's dict, ten times the cost of the two NFKC passes on
# a news article, while these characters are rare.
_REPLACEMENTS = {
    chr(code): to if isinstance(to, str) else ""
    for code, to in {**PUNCTUATION, **ARABIC, **SCRIPT_LETTERS, **_INVISIBLE}.items()
}
_REPLACED = re.compile("[" + "".join(re.escape(char) for char in _REPLACEMENTS) + "]")


def _replacement(found: re.Match[str]) -> str:
    return _REPLACEMENTS[found.group()]


def fold(chunk: str) -> str:
    """The matching form of a piece of text: NFKC, casefolded, ASCII punctuation, bare letters."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", chunk).casefold())
    folded = _REPLACED.sub(_replacement, folded)
    return _CONTEXT.sub(_context_fold, folded) if "\u0307" in folded or "\u094d" in folded else folded


def _context_fold(found: re.Match[str]) -> str:
    return CONTEXT_FOLDS[found.group()]


def is_word_char(char: str) -> bool:
    """Letters, digits and combining marks make up words; everything else separates them."""
    return unicodedata.category(char)[0] in "LNM"


def is_no_space_char(char: str) -> bool:
    """True for characters of scripts that do not put spaces between words."""
    return _NO_SPACE.match(char) is not None


def _ranges(codes: list[int]) -> str:
    """A regex character class body for the given sorted code points."""
    parts: list[str] = []
    index = 0
    while index < len(codes):
        low = high = codes[index]
        while index + 1 < len(codes) and codes[index + 1] == high + 1:
            index += 1
            high = codes[index]
        parts.append(re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}")
        index += 1
    return "".join(parts)


# Characters scanned for folding changes: the BMP. Characters beyond it (emoji,
# mathematical letters, rare ideographs) are all treated as irregular by the
# normaliser: a class of BMP characters only is much faster for the regex engine.
_SCANNED = (
    range(0x0000, 0xD800),
    range(0xE000, 0x10000),
)


@cache
def irregular_class() -> str:
    """Character class of characters whose folded form is not simply `char.casefold()`.

    Text without them can be folded with one `str.casefold()` call, one character for
    one character; only the stretches with them need the slow, per-cluster path.
    Built once per process from the running Python's Unicode tables.
    """
    codes: list[int] = []
    for block in _SCANNED:
        for code in block:
            char = chr(code)
            if char.isspace():
                continue
            lower = char.casefold()
            if (
                len(lower) != 1
                or unicodedata.category(char)[0] == "M"
                or fold(char) != lower
                or 0x1100 <= code <= 0x11FF  # conjoining jamo compose with their neighbours
            ):
                codes.append(code)
    return _ranges(codes)
