"""Read articles from files the way a user hands them over: .txt, .json, .jsonl, or stdin.

Used by the replayer and by `newswatch tag`, so both see exactly the same articles.
Problems are yielded as `ArticleFileError` values, not raised, so that one bad file
or record is reported and counted while the rest still flow.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from newswatch.contracts import Article, describe_validation_error
from newswatch.errors import ArticleFileError

SUPPORTED_SUFFIXES = (".txt", ".json", ".jsonl")
STDIN = Path("-")


def content_id(title: str, body: str) -> str:
    """A stable id for articles whose source gives none: the same text, the same id."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:16]


def expand_paths(paths: Iterable[Path]) -> Iterator[Path | ArticleFileError]:
    """Files as given, folders walked in sorted order (only the supported kinds)."""
    for path in paths:
        if path == STDIN:
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUPPORTED_SUFFIXES)
        elif not path.exists():
            yield ArticleFileError(path, "no such file or folder")
        elif path.suffix not in SUPPORTED_SUFFIXES:
            yield ArticleFileError(path, f"unsupported file type; use one of {', '.join(SUPPORTED_SUFFIXES)}")
        else:
            yield path


def read_articles(paths: Iterable[Path]) -> Iterator[Article | ArticleFileError]:
    for path in expand_paths(paths):
        if isinstance(path, ArticleFileError):
            yield path
        elif path == STDIN:
            yield from _read_jsonl(path, sys.stdin.read())
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                yield ArticleFileError(path, f"cannot be read as UTF-8 text: {exc}")
                continue
            if path.suffix == ".txt":
                yield _read_txt(path, text)
            elif path.suffix == ".json":
                yield from _read_json(path, text)
            else:
                yield from _read_jsonl(path, text)


def _read_txt(path: Path, text: str) -> Article | ArticleFileError:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return ArticleFileError(path, "the file is empty; expected a title line and then the body")
    title = lines[first].strip()
    body = "\n".join(lines[first + 1 :]).strip("\n")
    if not body.strip():
        return ArticleFileError(path, "the file has a title line but no body after it")
    return Article(id=content_id(title, body), title=title, body=body)


def _read_json(path: Path, text: str) -> Iterator[Article | ArticleFileError]:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        yield ArticleFileError(path, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return
    records = parsed if isinstance(parsed, list) else [parsed]
    for number, record in enumerate(records, start=1):
        yield _to_article(path, number, record)


def json_lines(text: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value or the `json.JSONDecodeError`) for each non-blank line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, exc


def _read_jsonl(path: Path, text: str) -> Iterator[Article | ArticleFileError]:
    for number, record in json_lines(text):
        if isinstance(record, json.JSONDecodeError):
            reason = f"line is not valid JSON: {record.msg} at column {record.colno}"
            yield ArticleFileError(path, reason, record=number)
        else:
            yield _to_article(path, number, record)


def _to_article(path: Path, number: int, record: Any) -> Article | ArticleFileError:
    if not isinstance(record, dict):
        return ArticleFileError(path, f"expected a JSON object, got {type(record).__name__}", record=number)
    if not record.get("id"):
        record = {**record, "id": content_id(str(record.get("title", "")), str(record.get("body", "")))}
    try:
        return Article.model_validate(record)
    except ValidationError as exc:
        return ArticleFileError(path, describe_validation_error(exc), record=number)
