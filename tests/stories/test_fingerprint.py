"""Fingerprints: copies match whatever the outlet added or cut, different stories stay apart."""

from __future__ import annotations

import json
import zlib

import pytest
from datasketch import MinHash

from newswatch.stories import fingerprint as fingerprint_module
from newswatch.stories.fingerprint import (
    MAX_BODY_CHARS,
    MIN_SHINGLES,
    NUM_PERM,
    SCHEME,
    SEED,
    Fingerprint,
    content_lines,
    fingerprint,
    same_story,
    shingles,
    similarity,
)
from newswatch.stories.quality import labelled_set
from newswatch.stories.variants import EDITS
from tests.helpers.paths import TEST_DATA

STORIES = TEST_DATA / "stories"


@pytest.fixture(scope="module")
def labelled() -> dict[str, object]:
    return {article.id: article for article in labelled_set(STORIES)}


def _print(article: object) -> Fingerprint:
    return fingerprint(article.title, article.body)  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", sorted(EDITS))
@pytest.mark.parametrize(
    "original", ["en-port-a", "de-hitze-a", "ru-metro-a", "zh-rail-a", "ja-kome-a", "ar-dust-a"]
)
def test_each_edit_kind_is_a_copy_of_its_original(
    labelled: dict[str, object], kind: str, original: str
) -> None:
    assert same_story(_print(labelled[original]), _print(labelled[f"{original}~{kind}"]))


@pytest.mark.parametrize(
    "event",
    [
        "en-port",
        "de-bahn",
        "es-sequia",
        "ru-snow",
        "zh-typhoon",
        "ja-jishin",
        "ko-chip",
        "ar-water",
        "th-flood",
    ],
)
def test_two_reports_of_one_event_in_other_words_stay_apart(labelled: dict[str, object], event: str) -> None:
    assert not same_story(_print(labelled[f"{event}-a"]), _print(labelled[f"{event}-b"]))


def test_a_shared_background_paragraph_does_not_make_one_story(labelled: dict[str, object]) -> None:
    # Two company stories ending with the same "about the company" paragraph.
    a, b = _print(labelled["en-norvale-a"]), _print(labelled["en-norvale-b"])
    assert not same_story(a, b)
    assert similarity(a, b).jaccard > 0.1  # the shared paragraph does show


def test_a_translation_is_another_story(labelled: dict[str, object]) -> None:
    assert not same_story(_print(labelled["en-port-a"]), _print(labelled["de-port-translation"]))


def test_boilerplate_and_short_lines_are_dropped_before_shingling() -> None:
    body = (
        "By Jane Doe\nThe council approved the budget on Monday after a long debate about schools."
        "\nRead more: Budget row deepens\nAdvertisement"
    )
    assert content_lines(body) == [
        [
            "the",
            "council",
            "approved",
            "the",
            "budget",
            "on",
            "monday",
            "after",
            "a",
            "long",
            "debate",
            "about",
            "schools",
        ]
    ]


def test_a_text_of_short_lines_only_keeps_them() -> None:
    assert content_lines("Fire in the harbour\nNo one hurt") == [
        ["fire", "in", "the", "harbour"],
        ["no", "one", "hurt"],
    ]


@pytest.mark.parametrize(
    "text",
    [
        "北朝鮮は火曜日、日本海に向けて弾道ミサイルを発射したと韓国軍が発表した。",
        "台风造成部分地区停电停水，一些道路被倒伏的树木阻断。",
        "ฝนตกหนักต่อเนื่องตลอดสองวันที่ผ่านมาทำให้เกิดน้ำท่วมฉับพลัน",
    ],
)
def test_scripts_without_spaces_are_shingled_by_characters(text: str) -> None:
    found = shingles(content_lines(text))
    assert {len(shingle) for shingle in found} == {4}
    assert len(found) > MIN_SHINGLES


def test_spaced_scripts_are_shingled_by_words() -> None:
    found = shingles(content_lines("Президент подписал закон о бюджете на следующий год."))
    assert "президент подписал закон" in found
    assert all(len(shingle.split()) == 3 for shingle in found)


def test_short_texts_match_exact_copies_only() -> None:
    short = fingerprint("", "Fire at the harbour")
    assert short.shingles < MIN_SHINGLES
    assert same_story(short, fingerprint("Other headline", "FIRE at the harbour!"))
    assert not same_story(short, fingerprint("", "Fire at the harbour again"))


def test_an_empty_body_matches_nothing_not_even_another_empty_body() -> None:
    assert not same_story(fingerprint("a", ""), fingerprint("b", "Advertisement"))


def test_the_headline_does_not_count() -> None:
    body = "The council approved the budget on Monday after a long debate about schools and roads."
    assert fingerprint("One headline", body) == fingerprint("Another headline entirely", body)


def test_fingerprints_survive_json() -> None:
    found = fingerprint("", "The council approved the budget on Monday after a long debate about schools.")
    assert Fingerprint.from_json(json.loads(json.dumps(found.to_json()))) == found
    assert len(found.signature) == 128 and all(0 <= value < 2**32 for value in found.signature)


def test_signatures_are_datasketchs_minhash_value_for_value(labelled: dict[str, object]) -> None:
    """Signatures computed before this code and kept in the stories table's changelog must
    stay comparable with new ones: the signature is datasketch's MinHash of the shingles."""
    bodies = [article.body for article in labelled.values()]  # type: ignore[attr-defined]
    bodies += ["", "Advertisement", "Fire at the harbour", "x " * 50_000]
    for body in bodies:
        reference = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=zlib.crc32)
        reference.update_batch([shingle.encode() for shingle in shingles(content_lines(body))])
        expected = tuple(int(value) for value in reference.hashvalues)
        assert fingerprint("", body).signature == expected, body[:60]


@pytest.mark.parametrize(
    "hostile",
    [
        "word " * 210_000,  # 1 MiB of one repeated word
        "x" * (1 << 20),  # 1 MiB, one token, no line breaks
        "a b\n" * 262_144,  # 1 MiB of short lines
        "北" * 350_000,  # 1 MiB of one CJK character
        "\ufdfa" * 350_000,  # NFKC turns each of these into 18 characters
    ],
)
def test_hostile_sizes_read_a_bounded_head(monkeypatch: pytest.MonkeyPatch, hostile: str) -> None:
    folded: list[int] = []
    fold = fingerprint_module.fold

    def counting_fold(text: str) -> str:
        folded.append(len(text))
        return fold(text)

    monkeypatch.setattr(fingerprint_module, "fold", counting_fold)
    found = fingerprint("", hostile)
    assert folded == [min(len(hostile), MAX_BODY_CHARS)]
    # Shingles: at most one per folded character (an NFKC expansion is at most 18 characters).
    assert found.shingles <= 18 * MAX_BODY_CHARS
