"""The rule language: groups, proximity, mentions, fields, weights, vetoes, explanations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newswatch.watchlists import Engine
from tests.helpers.paths import REPO_ROOT
from tests.helpers.watchlists import engine_from, watchlist_yaml

WORDS = """\
words:
  weapon:
    en: [weapons, missiles]
  transfer:
    en: [sold, deliver*]
"""


def engine_with(tmp_path: Path, rules: str, exclude: str = "") -> Engine:
    return engine_from(tmp_path, watchlist_yaml(rules + exclude, words=WORDS))


def score(engine: Engine, body: str, title: str = "") -> float:
    return engine.explain(title, body, "en").watchlists[0].score


def test_all_of_within_n_words_needs_both_groups_close_together(tmp_path: Path) -> None:
    engine = engine_with(
        tmp_path, "  - {name: near, weight: 1.0, all: [weapon, transfer], within: 3 words}\n"
    )
    assert score(engine, "They sold weapons to the army.") == 1.0
    assert score(engine, "They sold many old and very rusty weapons.") == 0.0
    assert score(engine, "They sold cars. Weapons were not mentioned.") == 0.0


def test_all_of_in_the_same_sentence_is_the_default(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, "  - {name: sentence, weight: 1.0, all: [weapon, transfer]}\n")
    assert score(engine, "Missiles, the report says after long talks, were delivered.") == 1.0
    assert score(engine, "Missiles were built. They were delivered later.") == 0.0


def test_min_mentions_and_max_repeats(tmp_path: Path) -> None:
    rules = "  - {name: weak, weight: 0.4, any: weapon, min_mentions: 2, max_repeats: 2}\n"
    engine = engine_with(tmp_path, rules)
    assert score(engine, "Weapons.") == 0.0
    assert score(engine, "Weapons. Missiles.") == 0.8
    assert score(engine, "Weapons. Missiles. Weapons. Missiles.") == 0.8


def test_field_scope_limits_a_rule_to_the_title(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, "  - {name: headline, weight: 1.0, any: weapon, field: title}\n")
    assert score(engine, "Nothing here.", title="Weapons for sale") == 1.0
    assert score(engine, "Weapons for sale.", title="Nothing here") == 0.0


def test_weights_add_up_to_the_threshold_and_one_weak_rule_does_not(tmp_path: Path) -> None:
    rules = "  - {name: weak, weight: 0.3, any: weapon}\n  - {name: verb, weight: 0.7, any: transfer}\n"
    engine = engine_with(tmp_path, rules)
    assert engine.match("", "Weapons. Weapons. Weapons.", "en") == []
    (match,) = engine.match("", "Weapons. It was sold.", "en")
    assert match.score == 1.0


def test_none_and_exclude_veto_their_sentence(tmp_path: Path) -> None:
    rules = "  - {name: any, weight: 1.0, any: weapon, none: {en: [water pistol*]}}\n"
    engine = engine_with(tmp_path, rules, "exclude:\n  en: [ceasefire]\n")
    assert score(engine, "Water pistols and missiles for kids.") == 0.0
    assert score(engine, "The ceasefire holds; weapons are silent.") == 0.0
    assert score(engine, "The ceasefire holds. Missiles were fired.") == 1.0


def test_explanation_shows_rules_weights_score_and_threshold(tmp_path: Path) -> None:
    engine = engine_with(
        tmp_path, "  - {name: near, weight: 1.0, all: [weapon, transfer], within: 3 words}\n"
    )
    explanation = engine.explain("", "They sold weapons.", "en")
    (item,) = explanation.watchlists
    assert (item.score, item.threshold, item.matched) == (1.0, 1.0, True)
    assert [hit.text for hit in item.rules[0].evidence] == ["sold", "weapons"]
    text = explanation.render()
    assert "test_list: score 1 / threshold 1: MATCH" in text and "+1.00  near: weight 1 x 1" in text


def test_arabic_letter_variants_and_diacritics_are_folded(tmp_path: Path) -> None:
    rules = "  - {name: ar, weight: 1.0, any: {ar: [كوريا الشمالية]}}\n"
    engine = engine_with(tmp_path, rules)
    body = "قالت كُورِيا الشمالیة إنها..."
    (match,) = engine.match("", body, "ar")
    assert match.hits[0].text == "كُورِيا الشمالیة"
    assert body[match.hits[0].start : match.hits[0].end] == match.hits[0].text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Die Bundesregierung hat neue Sanktionen gegen Russland beschlossen.", "de"),
        ("Правительство объявило о новых санкциях против банков.", "ru"),
        ("北朝鮮は日本海に向けて弾道ミサイルを発射した。", "ja"),
        ("Chính phủ đã công bố các biện pháp trừng phạt mới.", "vi"),
    ],
)
def test_language_is_detected_when_missing_and_reported_in_matches(text: str, language: str) -> None:
    engine = Engine.default()
    assert engine.detect_language(text) == language
    matches = engine.match("", text, None)
    assert matches, "each text is on-topic for one default list"
    assert [match.language for match in matches] == [language] * len(matches)


def test_check_command_prints_file_line_message_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        watchlist_yaml("  - {name: x, weight: heavy, any: weapon}\n", words=WORDS), encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "newswatch", "watchlists", "check", str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert f"{path}:12: 'weight' must be a number such as 1.0, not 'heavy'" in result.stderr
