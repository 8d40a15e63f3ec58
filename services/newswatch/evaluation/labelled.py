"""Read labelled JSONL: one article per line, with the watch-lists it should match.

Each line is an `Article` (id, title, body, language, ...) plus `labels` (the
watch-lists the article should match), an optional `ignore` (watch-lists not to
score on this article, e.g. when the labeller was unsure) and an optional free-text
`note`. A label naming no known watch-list is an error naming the file and line:
a typo would otherwise silently count as a false negative.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from newswatch.article_files import json_lines
from newswatch.contracts import Article, describe_validation_error
from newswatch.errors import FileProblemError

LABEL_FIELDS = ("labels", "ignore", "note")


class LabelledFileError(FileProblemError):
    """A labelled file (or one line of it) that cannot be scored, with where the problem is."""


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    """An article and what a person said about it."""

    article: Article
    labels: frozenset[str]
    ignore: frozenset[str]
    note: str
    source: Path
    line: int


def read_labelled(paths: Iterable[Path], known: Collection[str]) -> list[LabelledArticle]:
    """Every labelled article in `paths` (JSONL); LabelledFileError on the first bad line."""
    articles: list[LabelledArticle] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LabelledFileError(path, None, f"cannot be read as UTF-8 text: {exc}") from exc
        articles.extend(_read_lines(path, text, known))
    if not articles:
        raise LabelledFileError(", ".join(str(path) for path in paths), None, "no labelled articles found")
    return articles


def _read_lines(path: Path, text: str, known: Collection[str]) -> Iterator[LabelledArticle]:
    for number, record in json_lines(text):
        if isinstance(record, json.JSONDecodeError):
            reason = f"not valid JSON: {record.msg} at column {record.colno}"
            raise LabelledFileError(path, number, reason) from record
        yield _to_labelled(path, number, record, known)


def _to_labelled(path: Path, number: int, record: Any, known: Collection[str]) -> LabelledArticle:
    if not isinstance(record, dict):
        raise LabelledFileError(path, number, f"expected a JSON object, got {type(record).__name__}")
    if "labels" not in record:
        raise LabelledFileError(path, number, "no 'labels' list (use [] for an article that matches nothing)")
    labels = _names(path, number, record, "labels", known)
    ignore = _names(path, number, record, "ignore", known)
    note = record.get("note") or ""
    if not isinstance(note, str):
        raise LabelledFileError(path, number, "'note' must be a string")
    fields = {key: value for key, value in record.items() if key not in LABEL_FIELDS}
    try:
        article = Article.model_validate(fields)
    except ValidationError as exc:
        raise LabelledFileError(path, number, describe_validation_error(exc)) from exc
    return LabelledArticle(article, labels, ignore, note, path, number)


def _names(
    path: Path, number: int, record: dict[str, Any], key: str, known: Collection[str]
) -> frozenset[str]:
    value = record.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LabelledFileError(path, number, f"'{key}' must be a list of watch-list names")
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise LabelledFileError(
            path,
            number,
            f"'{key}' names unknown watch-list(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}",
        )
    return frozenset(value)
