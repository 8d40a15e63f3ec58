"""No input can stall the worker: the engine's work grows linearly with the article.

The work is counted, not timed: every line of the engine's own Python code executed
while matching one article (a line tracer on the watch-list package). Doubling a
hostile article may at most about double that count; a scan over every candidate per
anchor, or a walk back to the word's start per hit, makes it four times as large.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import newswatch.watchlists
from newswatch.watchlists import Engine

PACKAGE = str(Path(newswatch.watchlists.__file__).parent)
SIZE = 3000  # characters of the smaller article; the larger one is twice as long
MAX_GROWTH = 2.5

WATCHLIST = """\
name: hostile
description: A list written to be attacked.
version: "1"
owner: tests
threshold: 100.0
words:
  weapon:
    en: [weapons]
    de: ["*waffen"]
    ko: ["*미사일"]
    zh: [武器]
  transfer:
    en: [supply]
    zh: [出口]
  veto:
    en: [ceasefire]
rules:
  - {name: near, weight: 1.0, all: [weapon, transfer], within: 4 words, none: veto}
  - {name: sentence, weight: 1.0, all: [weapon, transfer], none: veto}
  - {name: article, weight: 1.0, all: [weapon, transfer], within: article}
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return Engine.from_paths([path])


@contextmanager
def counting_lines() -> Iterator[list[int]]:
    """Counts the lines executed in the watch-list package while the block runs."""
    count = [0]

    def on_line(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        if event == "line":
            count[0] += 1
        return on_line

    def on_call(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        return on_line if frame.f_code.co_filename.startswith(PACKAGE) else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        yield count
    finally:
        sys.settrace(previous)


def lines_to_explain(engine: Engine, unit: str, characters: int) -> int:
    body = unit * (characters // len(unit))
    with counting_lines() as count:
        engine.explain("", body, "en")
    return count[0]


@pytest.mark.parametrize(
    ("case", "unit"),
    [
        ("a pair of an `all` rule, repeated", "weapons supply "),
        ("a pair far apart with a veto between, repeated", "weapons a b c d e f ceasefire supply "),
        ("a veto next to each pair, repeated", "weapons ceasefire supply "),
        ("a leading-* term glued to itself", "waffen"),
        ("a leading-* Hangul term glued to itself", "미사일"),
        ("Han terms glued together", "武器出口"),
        ("a leading-* term glued, with spaces now and then", "waffenwaffenwaffen waffen "),
    ],
)
def test_doubling_a_hostile_article_at_most_doubles_the_work(engine: Engine, case: str, unit: str) -> None:
    smaller = lines_to_explain(engine, unit, SIZE)
    larger = lines_to_explain(engine, unit, 2 * SIZE)
    assert larger <= MAX_GROWTH * smaller, f"{case}: {smaller} lines, then {larger} for twice the text"
