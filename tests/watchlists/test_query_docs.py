"""The query examples of docs/watchlists.md load, and each finds the article it is written for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newswatch.watchlists import Engine
from newswatch.watchlists.rules.loader import read_watchlist_text

DOCS = Path(__file__).resolve().parents[2] / "docs" / "watchlists.md"
_EXAMPLE = re.compile(r"^(query: '.*')\s+# (\w+)$", re.MULTILINE)

# An article (title, body) each example must match, and one it must not.
ARTICLES = {
    "English": (
        ("Exports", "Acme Dynamics confirmed the export of drones."),
        ("A parody", "Acme Dynamics exports."),
    ),
    "Russian": (
        ("", "Новые санкции ударили по крупнейшим банкам."),
        ("", "Санкции обсуждали весь день в парламенте, а банки молчали до вечера пятницы."),
    ),
    "Arabic": (("", "فرضت واشنطن العقوبات على إيران"), ("", "فرضت واشنطن العقوبات")),
    "Chinese": (("朝鲜试射导弹", "联合国考虑新的制裁。"), ("", "朝鲜面临制裁。")),
    "Japanese": (
        ("", "北朝鮮が弾道ミサイルを発射した。"),
        ("", "北朝鮮がミサイルを発射したというパロディ動画。"),
    ),
    "counting": (("", "Acme won. Acme grew. ACME DYNAMICS signed a contract."), ("", "Acme won a contract.")),
}


def examples() -> list[tuple[str, str]]:
    found = [(language, line) for line, language in _EXAMPLE.findall(DOCS.read_text(encoding="utf-8"))]
    assert [language for language, _ in found] == list(ARTICLES)
    return found


@pytest.mark.parametrize(("language", "line"), examples())
def test_each_documented_query_finds_its_article(language: str, line: str) -> None:
    engine = Engine([read_watchlist_text(Path(f"docs example ({language})"), f"name: example\n{line}\n")])
    (title, body), (other_title, other_body) = ARTICLES[language]
    assert [found.watchlist for found in engine.match(title, body)] == ["example"]
    assert engine.match(other_title, other_body) == []
