"""Normalisation finds terms in oddly typed text and still points at the original."""

from __future__ import annotations

from newswatch.watchlists import Engine
from newswatch.watchlists.text.normalize import normalize


def test_full_width_zero_width_and_curly_quotes_are_matched_at_original_offsets() -> None:
    body = "Officials said “ＮＯＲＴＨ Ko\u200brea’s” envoy left. Kim\u00a0Jong\u2011Un spoke."
    engine = Engine.default()
    (match,) = engine.match("", body)
    assert match.watchlist == "korean_peninsula"
    assert [hit.text for hit in match.hits] == ["ＮＯＲＴＨ Ko\u200brea’s", "Kim\u00a0Jong\u2011Un"]
    for hit in match.hits:
        assert body[hit.start : hit.end] == hit.text


def test_normalised_characters_map_back_to_their_original_span() -> None:
    original = "Ａ\u200bB  “c”\tß"
    document = normalize(original)
    assert document.text == 'ab "c" ss'
    for index, char in enumerate(document.text):
        start, end = document.original_span(index, index + 1)
        assert original[start:end].strip() or char == " "
    assert document.original_span(0, 2) == (0, 3)  # "Ａ", the zero-width space, "B"


def test_decomposed_accents_compose_like_typed_ones() -> None:
    document = normalize("Pjo\u0308ngjang")
    assert document.text == "pjöngjang"
    assert document.original_span(2, 3) == (2, 4)


def test_skipped_lines_are_blanked_and_offsets_stay_correct() -> None:
    original = "keep one\nDROP me\nkeep two"
    document = normalize(original, lambda text: [(9, 16)] if "drop" in text else [])
    assert document.text == "keep one\n       \nkeep two"
    start = document.text.index("two")
    assert original[slice(*document.original_span(start, start + 3))] == "two"


# Each pair is one word as two newsrooms type it: Turkish dotted/dotless i, the Ukrainian
# modifier apostrophe, Persian zero-width non-joiner, Persian yeh/keheh and digits, Hebrew
# gershayim and vowel points, Devanagari nukta, nasal + virama and candra vowels.
SPELLINGS = [
    ("İRAN'A YAPTIRIM", "iran'a yaptirim"),
    ("Об\u02bcєднаний", "об'єднаний"),
    ("تحریم\u200cها سوخو-۳۵", "تحريمها سوخو-35"),
    ("ארה\u05f4ב הֵטִילָה", 'ארה"ב הטילה'),
    ("प्रतिबन्ध क्रूज़ डॉलर", "प्रतिबंध क्रूज डालर"),
    ("ขีปนาวุธ ๔,๕๐๐", "ขีปนาวุธ 4,500"),
]


def test_each_scripts_spelling_variants_fold_alike() -> None:
    for typed, plain in SPELLINGS:
        assert normalize(typed).text == normalize(plain).text, typed


def test_every_folded_word_of_the_new_scripts_maps_back_to_its_original_word() -> None:
    for typed, _ in SPELLINGS:
        original = f"x {typed} y"
        document = normalize(original)
        position = 0
        for word in document.text.split(" "):
            start, end = document.original_span(position, position + len(word))
            assert normalize(original[start:end]).text == word, (typed, word)
            position += len(word) + 1


def test_evidence_in_the_new_scripts_points_at_the_original_text() -> None:
    engine = Engine.default()
    bodies = [
        "ABD, İRAN'A yeni yaptırımlar uyguladı.",
        "Євросоюз запровадив санкції проти КНДР, пов\u02bcязаних з ракетами.",
        "اتحادیه اروپا تحریم\u200cهای تازه\u200cای علیه ایران اعمال کرد.",
        "ארה\u05f4ב הִטִּילָה סנקציות על איראן.",
        "अमेरिका ने रूस पर नए प्रतिबन्ध लगाए।",
        "สหรัฐฯ ประกาศคว่ำบาตรรัสเซียเพิ่มเติม",
    ]
    for body in bodies:
        matches = engine.match("", body)
        assert "sanctions" in [match.watchlist for match in matches], body
        for hit in (hit for match in matches for hit in match.hits):
            assert body[hit.start : hit.end] == hit.text
            assert normalize(hit.text).text.strip(), body
