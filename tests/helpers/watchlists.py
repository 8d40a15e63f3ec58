"""Small watch-lists written by a test: one header, the test's own words and rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newswatch.watchlist_topic.records import encode, published_record
from newswatch.watchlists import Engine
from newswatch.watchlists.rules.loader import read_watchlist_text


def watchlist_yaml(rules: str, *, name: str = "test_list", words: str = "", version: str = "1") -> str:
    """A watch-list file's text: the common header, then `words` (a `words:` block), then `rules`.

    The header is five lines; `rules:` is line 6, or line 6 + the lines of `words`.
    """
    return (
        f"name: {name}\n"
        "description: A list written for this test.\n"
        f'version: "{version}"\n'
        "owner: tests\n"
        "threshold: 1.0\n"
        f"{words}rules:\n{rules}"
    )


def terms_yaml(*terms: str, name: str = "test_list", version: str = "1") -> str:
    """A watch-list with one rule, `the terms`, that scores 1.0 on any of `terms` (English)."""
    listed = "".join(f"        - {term!r}\n" for term in terms)
    rules = f"  - name: the terms\n    weight: 1.0\n    any:\n      en:\n{listed}"
    return watchlist_yaml(rules, name=name, version=version)


def published_json(text: str, *, by: str = "tests") -> bytes:
    """The value `newswatch watchlists publish` sends for a valid list with this YAML `text`."""
    watchlist = read_watchlist_text(Path("published.yaml"), text)
    record = published_record(
        watchlist,
        text,
        source="published.yaml",
        published_by=by,
        published_at=datetime(2026, 11, 26, tzinfo=UTC),
    )
    return encode(record)[1]


def engine_from(folder: Path, text: str) -> Engine:
    """The engine of one watch-list with this text, written to `folder`/test_list.yaml."""
    path = folder / "test_list.yaml"
    path.write_text(text, encoding="utf-8")
    return Engine.from_paths([path])


def engine_with_terms(folder: Path, *terms: str) -> Engine:
    return engine_from(folder, terms_yaml(*terms))


# A small valid watch-list of every construct the loader tests break one at a time;
# `{name}` is its name.
VALID = """\
name: {name}
description: A list written for this test.
version: "1"
owner: tests
threshold: 1.0
words:
  places:
    en: [pyongyang]
rules:
  - name: named
    weight: 1.0
    any:
      en:
        - north korea
  - name: near
    weight: 0.5
    all: [places, {{en: [missile*]}}]
    within: 5 words
exclude:
  en:
    - coat of arms
"""


def write(tmp_path: Path, filename: str, text: str) -> Path:
    """`text` written to tmp_path/filename, for the loader to read."""
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    return path
