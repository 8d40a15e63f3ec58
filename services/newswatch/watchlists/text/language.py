"""Language detection for articles that arrive without a `language`.

py3langid ships its model inside the wheel (nothing is downloaded at run time) and is
small enough for the worker's memory budget. The result is only a hint: every
watch-list rule runs whatever the language, so a wrong guess cannot hide a match.

py3langid is pure Python and costs about 0.1 ms per article, so text whose script
leaves no doubt is decided by its script first: mostly Hangul is Korean, mostly Han
with a good share of Kana Japanese, Han without Kana Chinese, mostly Cyrillic, Arabic,
Hebrew, Devanagari or Thai letters the one language of the watch-lists written in that
script, Latin letters with many Vietnamese-only letters (ơ, ư, đ, ạ...) Vietnamese.
Where two of the languages share a script (Russian and Ukrainian, Arabic and Persian),
letters only one of them uses decide. Everything else (Latin-script text, mixed scripts)
goes to py3langid as before; py3langid cannot tell Malay from Indonesian, so between
those two words only one of them uses decide (`_malay_or_indonesian`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Protocol

# Enough text to recognise a language; detection time grows with the length (py3langid
# walks its automaton byte by byte in Python). Measured on the 503 labelled articles of
# tests/data and 163 real news articles in six languages: every one is recognised from
# 150 characters on, and from 300 on each gets the answer it got from 600 (which cost
# twice the time: 218 against 114 us an article; a tenth of the engine's time on real
# news at 600).
SAMPLE_CHARS = 300
# Below this probability the detector is unsure, and no language is reported.
MIN_CONFIDENCE = 0.6

# A script decides when its letters are at least this share of the sample's letters,
# and there are at least MIN_SCRIPT_LETTERS of them.
DOMINANT_SHARE = 0.8
MIN_SCRIPT_LETTERS = 20
# Japanese running text is a third or more Kana (0.27 to 0.63 of the CJK letters in our
# labelled articles); Chinese has none. Between the two, Chinese quoting Japanese and a
# kanji-heavy Japanese headline look alike: py3langid decides those.
KANA_SHARE = 0.3
# Vietnamese text is a seventh or more Vietnamese-only letters (ơ, ư, đ, ạ...); text that
# only quotes Vietnamese names, or mixes in another language, has fewer.
VIETNAMESE_SHARE = 0.13

# Languages written (among py3langid's) in a script of their own.
SCRIPT_LANGUAGES: dict[str, frozenset[str]] = {
    "hangul": frozenset({"ko"}),
    "cyrillic": frozenset({"ru", "uk", "bg", "be", "mk", "sr", "kk", "ky", "mn"}),
    "arabic": frozenset({"ar", "fa", "ur", "ps", "ug"}),
    "hebrew": frozenset({"he"}),
    "devanagari": frozenset({"hi", "mr", "ne", "sa"}),
    "thai": frozenset({"th", "lo"}),
}

# Letters only one language of a shared script uses, per script: a sample with at least
# DISTINCT_LETTERS of one language's and none of the other's is that language (Ukrainian
# і ї є ґ, Russian ы э ъ ё; Persian پ چ ژ گ and its own yeh and keheh, Arabic ة ى and the
# Arabic yeh and kaf, which Persian does not use).
DISTINCT_LETTERS = 2
LETTERS_OF: dict[str, dict[str, frozenset[str]]] = {
    "cyrillic": {"uk": frozenset("іїєґІЇЄҐ"), "ru": frozenset("ыэъёЫЭЪЁ")},
    "arabic": {"fa": frozenset("پچژگیک"), "ar": frozenset("ةىيك")},
}

# Malay and Indonesian share most words and py3langid splits its answer between them;
# these everyday words are each written one way in one of them (Malaysian "kerajaan",
# "syarikat", "kerana" for Indonesian "pemerintah", "perusahaan", "karena" ...), with
# each country's currency and forces (Rp, TNI; RM). Not place names: each country's
# news reports on the other.
MALAY_WORDS = frozenset(
    str.split(
        "kerajaan syarikat kerana selepas tentera polis kenyataan sahaja baharu eropah "
        "antarabangsa iaitu menerusi bagaimanapun wang bilangan ogos julai disember mac jun "
        "berpandu dibekukan perbendaharaan penghantaran bahagian perolehan rm"
    )
)
INDONESIAN_WORDS = frozenset(
    str.split(
        "pemerintah perusahaan karena setelah tentara polisi pernyataan saja baru eropa "
        "internasional yaitu melalui namun uang jumlah agustus juli desember maret juni "
        "rudal serikat bisa pengadaan bagian dikembangkan perguruan dikenai izin tni polri "
        "dpr rp kemhan selaku menewaskan mengungsi"
    )
)
_MALAY_INDONESIAN = frozenset({"ms", "id"})
_LOWER_WORDS = re.compile("[a-z]+")

# The script of each UTF-16 high byte, as one byte: whole 256-character blocks only
# (Hangul syllables and jamo, Han, Cyrillic, Arabic, Latin Extended-A/B and Additional;
# "o" for other blocks with letters, "." for ASCII/Latin-1, punctuation, Kana's block).
_BLOCKS = bytearray(b"o" * 256)
for _high, _script in (
    (0x05, "e"),  # Hebrew (and Armenian, which no watch-list language is written in)
    (0x09, "d"),  # Devanagari (and Bengali)
    (0x0E, "t"),  # Thai (and Lao)
    *((high, "h") for high in (*range(0xAC, 0xD8), 0x11)),
    *((high, "c") for high in range(0x4E, 0xA0)),
    *((high, "c") for high in range(0x34, 0x4E)),
    (0x04, "y"),
    (0x06, "a"),
    *((high, "l") for high in (0x01, 0x02, 0x1E)),
    *((high, ".") for high in (0x00, 0x20, 0x30, 0xFE, 0xFF, *range(0xD8, 0xE0))),
):
    _BLOCKS[_high] = ord(_script)
_HIGH_BYTE_SCRIPTS = bytes(_BLOCKS)
_NOT_ASCII_LETTERS = bytes(code for code in range(128) if not chr(code).isalpha())
_KANA = re.compile("[\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_VIETNAMESE = re.compile("[ơưđƠƯĐ\u1ea0-\u1ef9]")


class LanguageDetector:
    """Detects one of the given languages (ISO 639-1 codes), or None when unsure."""

    def __init__(self, languages: Iterable[str]) -> None:
        self.languages = tuple(sorted(set(languages)))

    def detect(self, text: str) -> str | None:
        sample = text[:SAMPLE_CHARS]
        if not sample.strip():
            return None
        by_script = self._by_script(sample)
        if by_script is not None:
            return by_script
        language, probability = _identifier(self.languages).classify(sample)
        sure = str(language) if float(probability) >= MIN_CONFIDENCE else None
        if language in _MALAY_INDONESIAN and _chosen(self.languages) >= _MALAY_INDONESIAN:
            return _malay_or_indonesian(sample) or sure
        return sure

    def _by_script(self, sample: str) -> str | None:
        """The language the sample's script leaves no doubt about, or None to ask py3langid."""
        high = sample.encode("utf-16-le")[1::2]
        scripts = high.translate(_HIGH_BYTE_SCRIPTS)
        latin = len(sample.encode("ascii", "ignore").translate(None, _NOT_ASCII_LETTERS))
        latin += scripts.count(b"l")
        hangul, cyrillic, arabic, han = (scripts.count(script) for script in (b"h", b"y", b"a", b"c"))
        hebrew, devanagari, thai = (scripts.count(script) for script in (b"e", b"d", b"t"))
        kana = len(_KANA.findall(sample)) if b"\x30" in high or b"\xff" in high else 0
        letters = latin + hangul + cyrillic + arabic + han + kana + scripts.count(b"o")
        letters += hebrew + devanagari + thai
        for script, count in (
            ("hangul", hangul),
            ("cyrillic", cyrillic),
            ("arabic", arabic),
            ("hebrew", hebrew),
            ("devanagari", devanagari),
            ("thai", thai),
        ):
            if count >= MIN_SCRIPT_LETTERS and count >= DOMINANT_SHARE * letters:
                chosen = SCRIPT_LANGUAGES[script] & _chosen(self.languages)
                return _only(chosen, chosen) or _by_letters(LETTERS_OF.get(script, {}), sample, chosen)
        cjk = han + kana
        if cjk >= MIN_SCRIPT_LETTERS and cjk >= DOMINANT_SHARE * letters:
            if kana >= KANA_SHARE * cjk:
                return _only(frozenset({"ja"}), _chosen(self.languages))
            if kana == 0:
                return _only(frozenset({"zh"}), _chosen(self.languages))
            return None
        if latin >= MIN_SCRIPT_LETTERS and latin >= DOMINANT_SHARE * letters and scripts.count(b"l"):
            vietnamese = len(_VIETNAMESE.findall(sample))
            if vietnamese >= VIETNAMESE_SHARE * letters:
                return _only(frozenset({"vi"}), _chosen(self.languages))
        return None


def _by_letters(letters_of: dict[str, frozenset[str]], sample: str, chosen: frozenset[str]) -> str | None:
    """The one chosen language whose own letters the sample has (DISTINCT_LETTERS or more) and
    no other's; None when letters of several (or too few) are found."""
    counts = {
        language: sum(sample.count(letter) for letter in letters)
        for language, letters in letters_of.items()
        if language in chosen
    }
    found = [language for language, count in counts.items() if count]
    if len(found) != 1 or len(chosen) > len(letters_of):
        return None
    return found[0] if counts[found[0]] >= DISTINCT_LETTERS else None


def _malay_or_indonesian(sample: str) -> str | None:
    """ "ms" or "id" when more of the sample's words are written that language's way."""
    words = _LOWER_WORDS.findall(sample.lower())
    malay = sum(word in MALAY_WORDS for word in words)
    indonesian = sum(word in INDONESIAN_WORDS for word in words)
    if malay == indonesian:
        return None
    return "ms" if malay > indonesian else "id"


def _only(script_languages: frozenset[str], chosen: frozenset[str]) -> str | None:
    """The one chosen language written in the script, or None when there are none or several."""
    candidates = script_languages & chosen
    return next(iter(candidates)) if len(candidates) == 1 else None


@cache
def _chosen(languages: tuple[str, ...]) -> frozenset[str]:
    """The languages py3langid decides among (all it knows when none of `languages` is known)."""
    return frozenset(_identifier(languages).nb_classes)


@cache
def _identifier(languages: tuple[str, ...]) -> _Classifier:
    import numpy
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = set(identifier.nb_classes)
    chosen = [language for language in languages if language in known]
    if chosen:
        identifier.set_languages(chosen)
        # The chosen languages' columns come out column-major, and every detection gathers
        # rows of them: in row-major order the same values are read 17% faster (the scores
        # are the same to the bit: 5,994 labelled, real and cut texts compared).
        identifier.nb_ptc = numpy.ascontiguousarray(identifier.nb_ptc)
    classifier: _Classifier = identifier
    return classifier


class _Classifier(Protocol):  # the part of py3langid's LanguageIdentifier used here (untyped)
    nb_classes: list[str]

    def classify(self, text: str) -> tuple[str, float]: ...
