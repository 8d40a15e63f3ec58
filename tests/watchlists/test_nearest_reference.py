"""The bisecting nearest-candidate and veto lookups agree with the old full scans.

The reference functions below are the engine's earlier code, kept verbatim (with the
regex word count they used): each anchor looked at every candidate of its sentence.
Random texts, spans and scopes, seeded, must give exactly the same answers.
"""

from __future__ import annotations

import bisect
import random
import re

import pytest

from newswatch.watchlists.rules.model import FIELDS, Field, Scope
from newswatch.watchlists.scoring.matcher import Found
from newswatch.watchlists.scoring.nearest import Candidates, nearest_candidate, vetoed_by_none
from newswatch.watchlists.text.script import NO_SPACE_CLASS
from newswatch.watchlists.text.sentences import LOCAL_WORDS_SPAN, FieldText

_WORD = re.compile(rf"[{NO_SPACE_CLASS}]{{1,2}}|[^\W_{NO_SPACE_CLASS}]+")
_FIELD_ORDER = {field: number for number, field in enumerate(FIELDS)}
ALPHABET = "ab cd  e 1_-,.\nミサイル武器미사\u0301é "
SCOPES = [Scope("article"), Scope("sentence"), *(Scope("words", words) for words in range(4))]


def reference_words_between(text: str, first: tuple[int, int], second: tuple[int, int]) -> int:
    earlier, later = sorted((first, second))
    if later[0] <= earlier[1]:
        return 0
    return len(_WORD.findall(text, earlier[1], later[0]))


def _position(item: Found) -> tuple[int, int]:
    return _FIELD_ORDER[item.field], item.start


def reference_in_sentence(anchor: Found, items: list[Found], texts: dict[Field, FieldText]) -> list[Found]:
    order = _FIELD_ORDER[anchor.field]
    low, high = texts[anchor.field].sentence_around(anchor.start)
    first = bisect.bisect_left(items, (order, low), key=_position)
    return items[first : bisect.bisect_left(items, (order, high), lo=first, key=_position)]


def reference_nearest(
    anchor: Found, candidates: list[Found], scope: Scope, texts: dict[Field, FieldText]
) -> Found | None:
    best: Found | None = None
    best_distance = 0
    field, start, end = anchor.field, anchor.start, anchor.end
    whole_article = scope.kind == "article"
    text = texts[field].text
    for item in candidates if whole_article else reference_in_sentence(anchor, candidates, texts):
        same_field = item.field == field
        if same_field and item.start < end and start < item.end:
            continue
        if (
            scope.kind == "words"
            and reference_words_between(text, (start, end), (item.start, item.end)) > scope.words
        ):
            continue
        distance = abs(item.start - start) + (0 if same_field else 1_000_000)
        if best is None or distance < best_distance:
            best, best_distance = item, distance
    return best


def reference_close(anchor: Found, item: Found, scope: Scope, texts: dict[Field, FieldText]) -> bool:
    if scope.kind == "article":
        return True
    if item.field != anchor.field:
        return False
    text = texts[anchor.field]
    if text.sentence_of(anchor.start) != text.sentence_of(item.start):
        return False
    return (
        scope.kind == "sentence"
        or reference_words_between(text.text, (anchor.start, anchor.end), (item.start, item.end))
        <= scope.words
    )


def reference_vetoed(scope: Scope, anchor: Found, vetoes: list[Found], texts: dict[Field, FieldText]) -> bool:
    if scope.kind == "article":
        return bool(vetoes)
    return any(
        reference_close(anchor, one, scope, texts) for one in reference_in_sentence(anchor, vetoes, texts)
    )


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60)))


def random_spans(rng: random.Random, texts: dict[Field, FieldText], count: int) -> list[Found]:
    """Spans of any length (some long, some nested, some equal), in the engine's text order."""
    spans = set()
    for _ in range(count):
        field = rng.choice(FIELDS)
        length = len(texts[field].text)
        start = rng.randrange(length)
        end = min(length, start + rng.choice([1, 1, 2, 3, 5, 20]))
        spans.add(Found(field, rng.randrange(3), start, end))
    return sorted(spans, key=lambda item: (_FIELD_ORDER[item.field], item.start, -item.end, item.pattern))


@pytest.mark.parametrize("seed", range(20))
def test_nearest_and_vetoes_agree_with_the_full_scan(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(150):
        texts = {field: FieldText(random_text(rng)) for field in FIELDS}
        candidates = random_spans(rng, texts, rng.randint(0, 12))
        indexed = Candidates(candidates)
        anchors = random_spans(rng, texts, 4) + candidates[:2]
        for anchor in anchors:
            for scope in SCOPES:
                expected = reference_nearest(anchor, candidates, scope, texts)
                assert nearest_candidate(anchor, indexed, scope, texts) == expected, (texts, anchor, scope)
                vetoed = reference_vetoed(scope, anchor, candidates, texts)
                assert vetoed_by_none(scope, anchor, indexed, texts) == vetoed, (texts, anchor, scope)


@pytest.mark.parametrize("seed", range(5))
def test_word_counts_agree_with_the_regex_count(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        text = random_text(rng)
        field = FieldText(text)
        for _ in range(20):
            low, high = rng.randrange(len(text) + 1), rng.randrange(len(text) + 1)
            assert field.words_in(low, high) == len(_WORD.findall(text, low, high)), (text, low, high)


@pytest.mark.parametrize("seed", range(5))
def test_word_positions_from_the_start_agree_with_the_regex_count(seed: int) -> None:
    """`words_before` (a query mention's word position) counts what the regex reads from
    the field's start: counted on the spot near the start, else from the field's word
    starts (found on the first question past LOCAL_WORDS_SPAN, then asked of every one)."""
    rng = random.Random(seed)
    for _ in range(300):
        text = random_text(rng) * rng.randint(1, 12)
        field = FieldText(text)
        for offset in [0, len(text), *(rng.randrange(len(text) + 1) for _ in range(20))]:
            assert field.words_before(offset) == len(_WORD.findall(text, 0, offset)), (text, offset)


@pytest.mark.parametrize(
    "alphabet",
    [ALPHABET, "ab cd  e 1_-,.\n미사\u0301é ", ALPHABET + "\U00020000\U0001d400\U0001f600\ud800"],
    ids=["no-space-script", "spaced-only", "beyond-the-bmp"],
)
def test_word_counts_over_long_stretches_agree_with_the_regex_count(alphabet: str) -> None:
    """Stretches longer than LOCAL_WORDS_SPAN are counted from the field's runs (and so is
    every stretch once they are built), whose characters are classed by a table of the
    first plane and, beyond it, one by one."""
    rng = random.Random(alphabet.encode("utf-8", "surrogatepass"))
    for _ in range(60):
        length = rng.randint(2 * LOCAL_WORDS_SPAN, 4 * LOCAL_WORDS_SPAN)
        text = "".join(rng.choice(alphabet) for _ in range(length))
        field = FieldText(text)
        for _ in range(20):
            low = rng.randrange(len(text) - LOCAL_WORDS_SPAN)
            high = rng.randrange(low + LOCAL_WORDS_SPAN + 1, len(text) + 1)
            assert field.words_in(low, high) == len(_WORD.findall(text, low, high)), (text, low, high)
            # Short stretches, asked of the runs too now that they are built.
            low, high = low + rng.randrange(LOCAL_WORDS_SPAN), low + rng.randrange(LOCAL_WORDS_SPAN)
            assert field.words_in(low, high) == len(_WORD.findall(text, low, high)), (text, low, high)
            assert field.words_before(high) == len(_WORD.findall(text, 0, high)), (text, high)
