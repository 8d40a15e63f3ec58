"""`fold` replaces the characters of its four tables in one regex pass (then the few
two-character variants): it must give what `str.translate` with each table in a row gives
(the definition), on any text."""

from __future__ import annotations

import random
import unicodedata

from newswatch.watchlists.text.script import (
    _INVISIBLE,
    ARABIC,
    CONTEXT_FOLDS,
    PUNCTUATION,
    SCRIPT_LETTERS,
    fold,
)


def _fold_by_translate(chunk: str) -> str:
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", chunk).casefold())
    folded = folded.translate(PUNCTUATION).translate(ARABIC).translate(SCRIPT_LETTERS).translate(_INVISIBLE)
    for pair, single in CONTEXT_FOLDS.items():
        folded = folded.replace(pair, single)
    return folded


def test_fold_equals_the_four_tables_applied_in_a_row() -> None:
    rng = random.Random(11)
    tables = (PUNCTUATION, ARABIC, SCRIPT_LETTERS, _INVISIBLE)
    table_chars = [chr(code) for table in tables for code in table] + [*"".join(CONTEXT_FOLDS)]
    alphabet = [chr(code) for code in range(0x20, 0x3100)] + table_chars * 20
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))) for _ in range(300)]
    texts += ["«Pyong\u200byang» \u2014 it\u2019s أَحْمَد", "ﾃｽﾄ ＡＢＣ ß İ", "", "İİ\u0307 प्रतिबन्ध्"]
    for text in texts:
        assert fold(text) == _fold_by_translate(text), repr(text)
