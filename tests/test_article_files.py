from __future__ import annotations

import json
from pathlib import Path

from newswatch.article_files import content_id, read_articles
from newswatch.contracts import Article
from newswatch.errors import ArticleFileError
from tests.conftest import SEED_ARTICLE


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
