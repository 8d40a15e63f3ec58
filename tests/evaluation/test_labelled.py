"""Reading labelled JSON lines: Article fields plus `labels`, `ignore` and `note`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newswatch.evaluation.labelled import LabelledFileError, read_labelled

KNOWN = ("arms_transfers", "korean_peninsula", "sanctions")


def write(path: Path, *records: Any) -> Path:
    lines = [record if isinstance(record, str) else json.dumps(record) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def article(**fields: Any) -> dict[str, Any]:
    return {"id": "a1", "language": "en", "title": "T", "body": "B.", "labels": [], **fields}


def test_reads_labels_ignore_and_note(tmp_path: Path) -> None:
    path = write(
        tmp_path / "set.jsonl",
        article(labels=["sanctions"], ignore=["arms_transfers"], note="positive: EU sanctions"),
        "",
        article(id="a2", language=None),
    )
    first, second = read_labelled([path], KNOWN)
    assert first.article.id == "a1" and first.article.body == "B."
    assert first.labels == {"sanctions"} and first.ignore == {"arms_transfers"}
    assert first.note == "positive: EU sanctions"
    assert (first.source, first.line) == (path, 1)
    assert second.labels == frozenset() and second.ignore == frozenset() and second.note == ""
    assert second.article.language is None and second.line == 3


def test_an_unknown_watchlist_name_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "set.jsonl", article(), article(id="a2", labels=["sanction"]))
    with pytest.raises(
        LabelledFileError, match=r"set\.jsonl:2: 'labels' names unknown watch-list\(s\) sanction"
    ):
        read_labelled([path], KNOWN)


def test_an_unknown_name_in_ignore_is_an_error_too(tmp_path: Path) -> None:
    path = write(tmp_path / "set.jsonl", article(ignore=["korea"]))
    with pytest.raises(LabelledFileError, match=r"set\.jsonl:1: 'ignore' names unknown"):
        read_labelled([path], KNOWN)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("{oops", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({"id": "x", "title": "T", "body": "B"}), "no 'labels' list"),
        (json.dumps(article(labels="sanctions")), "'labels' must be a list"),
        (json.dumps(article(body="")), "body"),
        (json.dumps(article(langauge="en")), "langauge"),
    ],
)
def test_bad_lines_are_errors_with_file_and_line(tmp_path: Path, record: str, message: str) -> None:
    path = write(tmp_path / "bad.jsonl", article(), record)
    with pytest.raises(LabelledFileError, match=r"bad\.jsonl:2: ") as error:
        read_labelled([path], KNOWN)
    assert message in str(error.value)


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(LabelledFileError, match="no labelled articles"):
        read_labelled([path], KNOWN)
