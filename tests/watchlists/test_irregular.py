"""The normaliser's Hyperscan and character-by-character paths give the regex path's answers."""

from __future__ import annotations

import random

import pytest

from newswatch.watchlists.text import irregular, normalize
from newswatch.watchlists.text.boilerplate import boilerplate_lines
from newswatch.watchlists.text.irregular import casefolder, simple_chars

POOLS = (
    "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .,;:!?'\"-\n",
    "éèêëàâäçñöüÉÀ ßẞµ«»´¨¯¸ªº¹²³¼",
    "가나다라마바사한국어북한제재 \u1100\u1161\u11a8\u3131\u3133\u314f",
    "北朝鮮制裁武器。、「」ひらがなカタカナｶﾀｶﾅ，：（）０１２ＡＢＣａｂｃ",
    "كوريا الشمالية ةأإآىًٌٍَُِّْـ",
    "Россия санкции ЁёЙй Việt Nam trừng phạt ơưđạếệ",
    "\u0301\u0308\u0323\u0300\u200b\u200c\u200d\u2060\ufeff\u00ad",
    "\t\r\x0b\x0c\x1c\x85\xa0\u1680\u2000\u2009\u200a\u2028\u2029\u202f\u205f\u3000  ",
    "😀𠀀𝐀ﬁﬂǄǅǆİıſ℃№™…‥",
)


def _texts(count: int) -> list[str]:
    rng = random.Random(11)
    simple = sorted(simple_chars())
    texts = []
    for _ in range(count):
        chars = "".join(rng.sample(POOLS, rng.randint(1, 3))) + "".join(rng.sample(simple, 4))
        texts.append("".join(rng.choice(chars) for _ in range(rng.randint(0, 50))))
    return texts


def _fields(text: str, result: normalize.NormalizedText | None = None) -> tuple[object, ...]:
    """What `normalize` makes of `text` (or `result`), field by field."""
    if result is None:
        result = normalize.normalize(text, boilerplate_lines)
    return (result.text, result.starts, result.orig_starts, result.orig_ends, result.linear)


def _stretches(text: str, spans: list[tuple[int, int]]) -> tuple[object, ...]:
    return _fields(text, normalize._by_stretches(text, spans, boilerplate_lines))


def test_fast_paths_give_the_regex_paths_results() -> None:
    # The paths are called by name, not forced by replacing functions: the modules may be
    # compiled (setup.py), and compiled code would not call a replaced function.
    texts = _texts(3000)
    for text in texts:
        fast = _fields(text)
        by_hyperscan = _stretches(text, irregular.irregular_spans(text))
        by_regex = _stretches(text, irregular.regex_spans(text))
        assert fast == by_hyperscan == by_regex, text
    hyperscan_read = sum(not text.isascii() and "  " not in text for text in texts)
    assert hyperscan_read > 500, "the texts should take the Hyperscan path, not only the regex"


@pytest.mark.parametrize("char", sorted(simple_chars())[::7])
def test_a_simple_character_folds_alone_whatever_its_neighbours(char: str) -> None:
    for context in ("a{}b", "{}{}", "가{}각", "ة{}ة", " {} ", "Ａ{}\u0301", "\u1100{}\u1161"):
        text = context.format(char, char)
        assert (
            normalize.normalize(text).text
            == normalize._by_stretches(text, irregular.irregular_spans(text), None).text
        )


def test_latin1_casefold_is_str_casefold() -> None:
    for code in range(0x3000):
        text = f"aÀ{chr(code)}ZÞ"
        assert casefolder(text)(text) == text.casefold()


def test_sharp_s_texts_fold_as_by_stretches() -> None:
    rng = random.Random(5)
    chars = "abcßßSs üÄ.\n" + "".join(sorted(simple_chars())[:40:4])
    texts = ["ß", "ßß", "aß", "ßa", "Straße", "Fußball ‘ß’ ßa"]
    texts += ["".join(rng.choice(chars) for _ in range(rng.randint(1, 40))) for _ in range(2000)]
    for text in texts:
        fast = _fields(text)
        result = normalize._by_stretches(text, irregular.irregular_spans(text), boilerplate_lines)
        assert fast == (result.text, result.starts, result.orig_starts, result.orig_ends, result.linear), text


def test_texts_with_runs_of_spaces_fold_as_by_stretches() -> None:
    """Scraped text's double spaces (after a line break too, at either end, beside simple
    characters, "ß", tabs and accents that send a text the other way) give the segments
    of the stretch-by-stretch path."""
    rng = random.Random(7)
    chars = "ab Ab  \n.ü" + "".join(sorted(simple_chars())[:60:6])
    rare = "ß\t\u0301\xa0가"
    texts = ["  ", "a  b", "  a", "a  ", "a\n  b", "“a”  ‘b’", "Fußball  spielen", "a \t b"]
    for _ in range(3000):
        pool = chars + (rng.choice(rare) if rng.random() < 0.3 else "")
        texts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 40))))
    taken = 0
    for text in texts:
        result = normalize._by_stretches(text, irregular.irregular_spans(text), boilerplate_lines)
        assert _fields(text) == (
            result.text,
            result.starts,
            result.orig_starts,
            result.orig_ends,
            result.linear,
        ), text
        taken += "  " in text and normalize._space_runs(text, boilerplate_lines) is not None
    assert taken > 500  # a quarter of them went the runs-of-spaces way
