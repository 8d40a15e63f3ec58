"""Deciding the language by script gives py3langid's answer, only sooner; every labelled
article (the dev set, the held-out set, the issue-15 blind probe) gets its language."""

from __future__ import annotations

import json
import random

import pytest

from newswatch.watchlists.text.language import (
    MIN_CONFIDENCE,
    SAMPLE_CHARS,
    LanguageDetector,
    _identifier,
    _malay_or_indonesian,
)
from tests.helpers.paths import REPO_ROOT

FIRST_ELEVEN = ("ar", "de", "en", "es", "fr", "id", "ja", "ko", "ru", "vi", "zh")
LANGUAGES = (*FIRST_ELEVEN, "fa", "he", "hi", "it", "ms", "pl", "pt", "th", "tr", "uk")


def _articles() -> list[dict[str, str]]:
    return [
        json.loads(line)
        for path in sorted((REPO_ROOT / "tests" / "data").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _py3langid(detector: LanguageDetector, text: str) -> str | None:
    sample = text[:SAMPLE_CHARS]
    if not sample.strip():
        return None
    language, probability = _identifier(detector.languages).classify(sample)
    sure = str(language) if float(probability) >= MIN_CONFIDENCE else None
    if language in ("ms", "id"):  # py3langid splits its answer between the two: words decide
        return _malay_or_indonesian(sample) or sure
    return sure


def test_labelled_articles_get_their_language_and_py3langid_agrees() -> None:
    detector = LanguageDetector(LANGUAGES)
    articles = _articles()
    decided = 0
    for article in articles:
        text = f"{article['title']}\n{article['body']}"
        assert detector.detect(text) == article["language"] == _py3langid(detector, text)
        decided += detector._by_script(text[:SAMPLE_CHARS]) is not None
    assert decided >= len(articles) // 3  # ko, ja, zh, ru, uk, ar, fa, he, hi, th, vi by script


def test_with_the_first_eleven_languages_only_the_answers_stay_the_same() -> None:
    detector = LanguageDetector(FIRST_ELEVEN)
    for article in _articles():
        if article["language"] in FIRST_ELEVEN:
            assert detector.detect(f"{article['title']}\n{article['body']}") == article["language"]


def test_excerpts_and_mixtures_get_what_py3langid_says() -> None:
    detector = LanguageDetector(LANGUAGES)
    texts = [f"{article['title']}\n{article['body']}" for article in _articles()]
    rng = random.Random(5)
    for _ in range(1500):
        first, second = rng.sample(texts, 2)
        mixture = first[rng.randrange(len(first)) :][: rng.randint(5, 400)]
        mixture += " " + second[rng.randrange(len(second)) :][: rng.randint(5, 400)]
        assert detector.detect(mixture) == _py3langid(detector, mixture), mixture


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("정부는 북한의 무기 수출에 대해 독자 제재를 발표했다. 시의회는 예산을 논의했다.", "ko"),
        ("政府は北朝鮮に対する追加制裁を決め、武器輸出を非難した。週末は雨の予報だ。", "ja"),
        ("美国宣布对朝鲜实施新的经济制裁，指其向俄罗斯出售武器。气象部门预计周末有雨，夜间气温下降。", "zh"),
        ("Евросоюз ввёл новые санкции против КНДР из-за поставок оружия. Суд рассмотрел дело.", "ru"),
        ("فرضت الولايات المتحدة عقوبات جديدة على كوريا الشمالية بسبب صفقات الأسلحة.", "ar"),
        ("Mỹ áp đặt lệnh trừng phạt mới đối với Triều Tiên vì bán vũ khí cho Nga.", "vi"),
        ("Євросоюз запровадив нові санкції проти КНДР через постачання зброї до Росії.", "uk"),
        ("اتحادیه اروپا تحریم‌های تازه‌ای علیه ایران به دلیل ارسال پهپاد به روسیه اعمال کرد.", "fa"),
        ("ארצות הברית הטילה סנקציות חדשות על צפון קוריאה בשל עסקאות נשק עם רוסיה.", "he"),
        ("अमेरिका ने हथियारों के सौदे के लिए उत्तर कोरिया पर नए प्रतिबंध लगाए हैं।", "hi"),
        ("สหรัฐฯ ประกาศคว่ำบาตรเกาหลีเหนือเพิ่มเติมจากการขายอาวุธให้รัสเซีย", "th"),
    ],
)
def test_an_unambiguous_script_decides(text: str, language: str) -> None:
    assert LanguageDetector(LANGUAGES)._by_script(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "The EU imposed new sanctions on Russia and North Korea over arms deliveries.",
        "President Nguyễn Xuân Phúc met the delegation in Hà Nội on Tuesday afternoon.",
        "The ministry said 북한 and 제재 were the words of the day in Seoul yesterday.",
        "北朝鮮",  # too short to be sure
    ],
)
def test_latin_mixed_or_short_text_goes_to_py3langid(text: str) -> None:
    assert LanguageDetector(LANGUAGES)._by_script(text) is None


def test_a_script_shared_by_two_of_the_languages_is_decided_by_letters_only_one_uses() -> None:
    text = "Евросоюз ввёл новые санкции против КНДР из-за поставок оружия. Суд рассмотрел дело."
    assert LanguageDetector(("ru", "uk", "en"))._by_script(text) == "ru"  # ё, ы
    assert LanguageDetector(("ru", "uk", "bg"))._by_script(text) is None  # Bulgarian has no letters listed
    neither = "Президент заявив, що санкції проти КНДР діятимуть далі. Суд розгляне справу."
    assert LanguageDetector(("ru", "uk"))._by_script(neither) == "uk"  # і, є
    both = "Санкции против КНДР (санкції проти КНДР) были продлены."
    assert LanguageDetector(("ru", "uk"))._by_script(both) is None
    assert LanguageDetector(("ru", "en"))._by_script(text) == "ru"
    assert LanguageDetector(("en", "de"))._by_script(text) is None  # py3langid picks among these


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Kerajaan Malaysia berkata syarikat itu dikenakan sekatan kerana membantu Iran.", "ms"),
        ("Pemerintah Indonesia mengatakan perusahaan itu dikenai sanksi karena membantu Iran.", "id"),
    ],
)
def test_malay_and_indonesian_are_told_apart_by_the_words_each_writes_its_own_way(
    text: str, language: str
) -> None:
    assert LanguageDetector(LANGUAGES).detect(text) == language
