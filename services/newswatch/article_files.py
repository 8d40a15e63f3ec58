"""Read articles from files the way a user hands them over: .txt, .json, .jsonl, or stdin.

Used by the replayer and by `newswatch tag`, so both see exactly the same articles.
Problems are yielded as `ArticleFileError` values, not raised, so that one bad file
or record is reported and counted while the rest still flow.

Whatever a file holds, memory stays bounded: .txt and .json files are read whole up to
MAX_FILE_BYTES, .jsonl files and stdin line by line, each line up to MAX_LINE_BYTES.
Inside a folder, symbolic links are not followed (they could lead out of the folder, or
to a file read twice); each is reported. A link named on the command line is read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from pydantic import ValidationError

from newswatch.contracts import Article, describe_validation_error
from newswatch.errors import ArticleFileError

SUPPORTED_SUFFIXES = (".txt", ".json", ".jsonl")
STDIN = Path("-")
# .txt (one article) and .json (one or a list) are parsed whole: a larger collection
# belongs in a .jsonl file. Far above any article (the worker's limit is 1 MiB by default).
MAX_FILE_BYTES = 64 * 1024 * 1024
# One .jsonl line is one article; a longer line is skipped and reported, the rest still read.
MAX_LINE_BYTES = 16 * 1024 * 1024
_MIB = 1024 * 1024


def content_id(title: str, body: str) -> str:
    """A stable id for articles whose source gives none: the same text, the same id."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:16]


def expand_paths(paths: Iterable[Path]) -> Iterator[Path | ArticleFileError]:
    """Files as given, folders walked in sorted order (only the supported kinds)."""
    for path in paths:
        if path == STDIN:
            yield path
        elif path.is_dir():
            yield from _walk(path)
        elif not path.exists():
            yield ArticleFileError(path, "no such file or folder")
        elif path.suffix not in SUPPORTED_SUFFIXES:
            yield ArticleFileError(path, f"unsupported file type; use one of {', '.join(SUPPORTED_SUFFIXES)}")
        else:
            yield path


def _walk(folder: Path) -> Iterator[Path | ArticleFileError]:
    """The supported files below `folder` in sorted order; symbolic links reported, not followed."""
    found: list[Path | ArticleFileError] = []

    def unreadable(error: OSError) -> None:
        found.append(ArticleFileError(error.filename, f"cannot be read: {error.strerror}"))

    # os.walk lists a link to a folder among the folders but does not go into it.
    for root, folders, files in os.walk(folder, onerror=unreadable):
        for name in (*folders, *files):
            path = Path(root) / name
            if path.is_symlink():
                if name in folders or path.suffix in SUPPORTED_SUFFIXES:
                    found.append(ArticleFileError(path, _SYMLINK_SKIPPED))
            elif name in files and path.suffix in SUPPORTED_SUFFIXES and path.is_file():
                found.append(path)
    yield from sorted(found, key=lambda item: item.path if isinstance(item, ArticleFileError) else item)


_SYMLINK_SKIPPED = (
    "a symbolic link, not followed inside a folder (it may lead out of it); name it itself to read it"
)


def read_articles(paths: Iterable[Path]) -> Iterator[Article | ArticleFileError]:
    for path in expand_paths(paths):
        if isinstance(path, ArticleFileError):
            yield path
        elif path == STDIN:
            yield from _read_jsonl(path, sys.stdin.buffer)
        elif path.suffix == ".jsonl":
            try:
                with path.open("rb") as file:
                    yield from _read_jsonl(path, file)
            except OSError as exc:
                yield ArticleFileError(path, f"cannot be read: {exc.strerror}")
        else:
            text = _read_whole(path)
            if isinstance(text, ArticleFileError):
                yield text
            elif path.suffix == ".txt":
                yield _read_txt(path, text)
            else:
                yield from _read_json(path, text)


def articles_skipping_problems(
    paths: Iterable[Path], skipped: list[ArticleFileError], errors: TextIO | None = None
) -> Iterator[Article]:
    """The readable articles in `paths`; each problem printed as `skipped ...` and added to `skipped`.

    What every command that reads article files does with a bad file or record: say so
    (on `errors`, default stderr), count it (the caller decides the exit code from
    `skipped`), and go on with the rest.
    """
    for item in read_articles(paths):
        if isinstance(item, ArticleFileError):
            skipped.append(item)
            print(f"skipped {item}", file=errors or sys.stderr)
        else:
            yield item


def _read_whole(path: Path) -> str | ArticleFileError:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return ArticleFileError(path, f"cannot be read: {exc.strerror}")
    if len(raw) > MAX_FILE_BYTES:
        return ArticleFileError(
            path,
            f"the file is larger than {MAX_FILE_BYTES // _MIB} MiB, the limit for {path.suffix} files; "
            "put many articles in a .jsonl file (one per line), which is read line by line",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ArticleFileError(
            path, f"cannot be read as UTF-8 text: {_bad_byte(raw, exc)}; save it as UTF-8"
        )


def _bad_byte(raw: bytes, error: UnicodeDecodeError) -> str:
    return f"invalid byte 0x{raw[error.start]:02x} at byte {error.start + 1}"


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
        parsed = parse_json(text)
    except json.JSONDecodeError as exc:
        yield ArticleFileError(path, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return
    records = parsed if isinstance(parsed, list) else [parsed]
    for number, record in enumerate(records, start=1):
        yield _to_article(path, number, record)


def parse_json(text: str) -> Any:
    """`json.loads`, with every way it can fail on bad input raised as `json.JSONDecodeError`.

    Besides malformed JSON, Python refuses nesting deeper than its recursion limit
    (RecursionError) and integers longer than `sys.get_int_max_str_digits()` (ValueError,
    a guard against quadratic-time parsing); both are bad input like any other.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply to read", text, 0) from None
    except ValueError:
        limit = sys.get_int_max_str_digits()
        long_number = re.search(rf"\d{{{limit + 1},}}", text)
        position = long_number.start() if long_number else 0
        message = f"a number of more than {limit} digits, too long to read"
        raise json.JSONDecodeError(message, text, position) from None


def json_lines(text: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value or the `json.JSONDecodeError`) for each non-blank line."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, _parse_line(line)


def _parse_line(line: str) -> Any:
    try:
        return parse_json(line)
    except json.JSONDecodeError as exc:
        return exc


def _read_jsonl(path: Path, file: BinaryIO) -> Iterator[Article | ArticleFileError]:
    for number, raw in _bounded_lines(file):
        if raw is None:
            reason = f"line is longer than {MAX_LINE_BYTES // _MIB} MiB, the limit for one article; skipped"
            yield ArticleFileError(path, reason, record=number)
            continue
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield ArticleFileError(path, f"line is not UTF-8 text: {_bad_byte(raw, exc)}", record=number)
            continue
        record = _parse_line(line)
        if isinstance(record, json.JSONDecodeError):
            reason = f"line is not valid JSON: {record.msg} at column {record.colno}"
            yield ArticleFileError(path, reason, record=number)
        else:
            yield _to_article(path, number, record)


def _bounded_lines(file: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for each line; None for a line beyond MAX_LINE_BYTES, read past unkept."""
    number = 0
    while line := file.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := file.readline(_MIB)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def _to_article(path: Path, number: int, record: Any) -> Article | ArticleFileError:
    if not isinstance(record, dict):
        return ArticleFileError(path, f"expected a JSON object, got {type(record).__name__}", record=number)
    try:
        if not record.get("id"):
            record = {**record, "id": content_id(str(record.get("title", "")), str(record.get("body", "")))}
        return Article.model_validate(record)
    except ValidationError as exc:
        return ArticleFileError(path, describe_validation_error(exc), record=number)
    except RecursionError:
        # Parsed, but so deeply nested that turning a field into text goes past the limit.
        return ArticleFileError(path, "a field is nested too deeply to read", record=number)
