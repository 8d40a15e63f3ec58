from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from newswatch import article_files
from newswatch.article_files import content_id, json_lines, read_articles
from newswatch.contracts import Article
from newswatch.errors import ArticleFileError
from tests.helpers.paths import SEED_ARTICLE


def read(*paths: Path) -> list[Article | ArticleFileError]:
    return list(read_articles(paths))


def test_txt_first_nonempty_line_is_title_rest_is_body(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("\n\n  Headline here  \n\nFirst paragraph.\n\nSecond.\n", encoding="utf-8")
    [article] = read(path)
    assert isinstance(article, Article)
    assert article.title == "Headline here"
    assert article.body == "First paragraph.\n\nSecond."
    assert article.id == content_id("Headline here", "First paragraph.\n\nSecond.")


def test_seed_article_reads_with_a_stable_id() -> None:
    [first] = read(SEED_ARTICLE)
    [second] = read(SEED_ARTICLE)
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.id == second.id
    assert first.title.startswith("Pejabat AS dan Tiongkok")


def test_jsonl_records_and_their_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "a", "title": "T", "body": "B", "language": "en"}),
        "",
        "{broken",
        json.dumps({"title": "no id", "body": "gets one from content"}),
        json.dumps({"id": "c", "title": "no body"}),
        json.dumps(["not", "an", "object"]),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    items = read(path)
    assert [type(item).__name__ for item in items] == [
        "Article",
        "ArticleFileError",
        "Article",
        "ArticleFileError",
        "ArticleFileError",
    ]
    assert isinstance(items[1], ArticleFileError) and items[1].record == 3
    assert "not valid JSON" in str(items[1])
    assert isinstance(items[2], Article) and items[2].id == content_id("no id", "gets one from content")
    assert str(path) in str(items[3]) and "body: Field required" in str(items[3])
    assert "expected a JSON object" in str(items[4])


def test_json_file_holds_one_article_or_a_list(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"id": "x", "body": "b"}))
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"id": "y", "body": "b"}, {"id": "z", "body": "b"}]))
    assert [a.id for a in read(one, many) if isinstance(a, Article)] == ["x", "y", "z"]


def test_folder_is_walked_in_order_and_other_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("B title\nbody b")
    (tmp_path / "a.txt").write_text("A title\nbody a")
    (tmp_path / "notes.md").write_text("# not an article")
    assert [a.title for a in read(tmp_path) if isinstance(a, Article)] == ["A title", "B title"]


def test_unreadable_inputs_are_reported_with_their_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    wrong_kind = tmp_path / "doc.pdf"
    wrong_kind.write_bytes(b"%PDF")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Titel\nK\xf6ln".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n")
    title_only = tmp_path / "title.txt"
    title_only.write_text("Just a title\n")
    errors = read(missing, wrong_kind, latin1, empty, title_only)
    assert all(isinstance(e, ArticleFileError) for e in errors)
    messages = [str(e) for e in errors]
    assert "no such file" in messages[0] and str(missing) in messages[0]
    assert "unsupported file type" in messages[1]
    assert "UTF-8" in messages[2]
    assert "empty" in messages[3]
    assert "no body" in messages[4]


def test_undecodable_jsonl_lines_are_reported_by_line_and_the_rest_still_read(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    good = json.dumps({"id": "ok", "title": "T", "body": "B"}).encode()
    lines = [
        b'{"id": "latin1", "body": "K\xf6ln"}',
        b'{"id": "deep", "body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"id": "long", "body": "b", "n": ' + b"7" * 5000 + b"}",
        good,
    ]
    path.write_bytes(b"\n".join(lines))
    items = read(path)
    assert isinstance(items[-1], Article) and items[-1].id == "ok"
    errors = items[:-1]
    assert all(isinstance(e, ArticleFileError) for e in errors), errors
    assert [e.record for e in errors if isinstance(e, ArticleFileError)] == [1, 2, 3]
    messages = [str(e) for e in errors]
    assert "not UTF-8 text: invalid byte 0xf6 at byte 28" in messages[0]
    assert "nested too deeply to read" in messages[1]
    assert f"more than {sys.get_int_max_str_digits()} digits" in messages[2] and "column 34" in messages[2]


def test_undecodable_json_files_are_reported(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    long_number = tmp_path / "long.json"
    long_number.write_text('{"id": "x", "body": "b", "n": ' + "1" * 5000 + "}")
    errors = read(deep, long_number)
    assert all(isinstance(e, ArticleFileError) for e in errors)
    assert "nested too deeply" in str(errors[0])
    assert "digits, too long to read" in str(errors[1])


def test_labelled_lines_that_cannot_be_decoded_are_json_errors() -> None:
    # `newswatch eval` reads its files through json_lines and reports these errors by line.
    text = "\n".join(["[" * 100_000, "1" * 5000, "{}"])
    results = list(json_lines(text))
    assert [number for number, _ in results] == [1, 2, 3]
    assert isinstance(results[0][1], json.JSONDecodeError) and "nested too deeply" in results[0][1].msg
    assert isinstance(results[1][1], json.JSONDecodeError) and "digits" in results[1][1].msg
    assert results[2][1] == {}


def test_whole_files_beyond_the_limit_are_refused_unparsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(article_files, "MAX_FILE_BYTES", 100)
    big = tmp_path / "big.json"
    big.write_text(json.dumps([{"id": str(n), "body": "b"} for n in range(10)]))
    small = tmp_path / "small.txt"
    small.write_text("Title\nbody")
    refused, article = read(big, small)
    assert (
        isinstance(refused, ArticleFileError) and "larger than" in str(refused) and ".jsonl" in str(refused)
    )
    assert isinstance(article, Article)


def test_jsonl_lines_beyond_the_limit_are_skipped_and_the_next_ones_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(article_files, "MAX_LINE_BYTES", 64)
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "a", "body": "b"}),
        json.dumps({"id": "huge", "body": "x" * 10_000}),
        json.dumps({"id": "c", "body": "d"}),
    ]
    path.write_text("\n".join(lines))
    first, skipped, last = read(path)
    assert isinstance(first, Article) and isinstance(last, Article) and last.id == "c"
    assert isinstance(skipped, ArticleFileError) and skipped.record == 2 and "longer than" in str(skipped)


def test_symbolic_links_inside_a_folder_are_reported_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Outside title\nnot to be read")
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text("A title\nbody a")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "linked-folder").symlink_to(outside, target_is_directory=True)
    (folder / "notes.md").symlink_to(outside / "secret.txt")  # not an article file either way

    items = read(folder)
    assert [a.title for a in items if isinstance(a, Article)] == ["A title"]
    reported = sorted(e.path.name for e in items if isinstance(e, ArticleFileError))
    assert reported == ["link.txt", "linked-folder"]
    assert all("symbolic link" in str(e) for e in items if isinstance(e, ArticleFileError))
    # Named on the command line, a link is the user's choice and is read.
    [named] = read(folder / "link.txt")
    assert isinstance(named, Article) and named.title == "Outside title"
