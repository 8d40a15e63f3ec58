"""Query watch-lists in files, folders and text: what is required, and problems at file:line:column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswatch.cli import main
from newswatch.errors import WatchlistsInvalid
from newswatch.settings import Settings
from newswatch.watchlists import Engine, load_watchlists
from newswatch.watchlists.rules import budget
from newswatch.watchlists.rules.loader import check_watchlists, read_watchlist_text, watchlist_files
from tests.helpers.environment import run_newswatch
from tests.helpers.watchlists import VALID, terms_yaml, write


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, "desk.yaml", text)
    return [str(problem).removeprefix(f"{tmp_path}/") for problem in check_watchlists([path])]


def test_a_name_and_a_query_make_a_list_that_alerts_with_score_one(tmp_path: Path) -> None:
    path = write(tmp_path, "desk.yaml", "name: acme\nquery: acme AND shipment*\n")
    (watchlist,) = load_watchlists([path])
    assert (watchlist.threshold, watchlist.rules, watchlist.description) == (1.0, (), "")
    assert watchlist.query is not None and watchlist.query.text == "acme AND shipment*"
    (found,) = Engine([watchlist]).match("", "Acme shipments.", "en")
    assert found.score == 1.0


def test_optional_settings_of_a_query_list_are_read(tmp_path: Path) -> None:
    text = "name: acme\ndescription: Acme.\nversion: '3'\nowner: desk\nthreshold: 2\nquery: acme\n"
    (watchlist,) = load_watchlists([write(tmp_path, "desk.yaml", text)])
    assert (watchlist.description, watchlist.version, watchlist.owner, watchlist.threshold) == (
        "Acme.",
        "3",
        "desk",
        2.0,
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "name: acme\nquery: 'acme AND'\n",
            "desk.yaml:2:14: 'AND' needs something to find after it",
        ),
        (
            "name: acme\nquery: >\n  (acme OR\n   beta)) AND gamma\n",
            "desk.yaml:4:9: this ')' has no '(' to close; remove it or add the '('",
        ),
        (
            "name: acme\nquery: acme w/5 beta\n",
            "desk.yaml:2:13: 'w/5' is not an operator here; write NEAR/n with the number of words "
            "allowed between, as in NEAR/5 (either order)",
        ),
        (
            "name: acme\nquery: |\n  acme\n  AND NOT headline:parody\n",
            "desk.yaml:4:11: 'headline:' is not a field; the fields are title: and body: "
            "(to find a word with ':', put it in quotes)",
        ),
        (
            "name: acme\nquery: [acme, beta]\n",
            "desk.yaml:2: 'query' must be a piece of text, e.g. query: 'acme AND shipment*'",
        ),
        (
            "query: acme\n",
            "desk.yaml:1: the setting 'name' is missing; add a line 'name: ...'",
        ),
        (
            "name: acme\nquery: acme\nexclude:\n  en: [parody]\n",
            "desk.yaml:4: 'exclude' is used by rules, and this list has only a query; "
            "write the words in the query (exclude with AND NOT)",
        ),
        (
            "name: acme\ndescription: no rules, no query\n",
            "desk.yaml:1: the watch-list has neither 'rules' nor a 'query'; add a 'rules:' list, "
            "or a line such as query: 'acme AND shipment*'",
        ),
    ],
)
def test_problems_of_query_lists(tmp_path: Path, text: str, problem: str) -> None:
    assert problem in problems_of(tmp_path, text)


def test_a_query_beside_rules_needs_what_rules_need(tmp_path: Path) -> None:
    text = VALID.format(name="both").replace("threshold: 1.0\n", "") + "query: acme\n"
    assert problems_of(tmp_path, text) == [
        "desk.yaml:1: the setting 'threshold' is missing; add a line 'threshold: ...'"
    ]


def test_text_from_elsewhere_loads_with_the_same_checks(tmp_path: Path) -> None:
    watchlist = read_watchlist_text(Path("news.watchlists[0]@17"), "name: acme\nquery: acme NEAR/2 beta\n")
    assert watchlist.name == "acme" and str(watchlist.source) == "news.watchlists[0]@17"
    with pytest.raises(WatchlistsInvalid) as raised:
        read_watchlist_text(Path("news.watchlists[0]@18"), "name: acme\nquery: 'acme NEAR/2'\n")
    assert str(raised.value) == "news.watchlists[0]@18:2:14: 'NEAR/2' needs something to find after it"


def test_a_folder_stands_for_its_yaml_files_in_name_order(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    write(desk, "b.yml", "name: beta\nquery: beta\n")
    write(desk, "a.yaml", "name: alpha\nquery: alpha\n")
    write(desk, "notes.txt", "not a watch-list")
    write(desk, ".#a.yaml", "an editor's lock file")
    (desk / "old").mkdir()
    write(desk / "old", "c.yaml", "name: gamma\nquery: gamma\n")
    extra = write(tmp_path, "extra.yaml", terms_yaml("delta", name="delta"))
    assert watchlist_files([desk, extra]) == [desk / "a.yaml", desk / "b.yml", extra]
    assert [item.name for item in load_watchlists([desk, extra])] == ["alpha", "beta", "delta"]


def test_the_same_name_in_two_files_of_a_folder_names_both(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "name: acme\nquery: acme\n")
    write(tmp_path, "b.yaml", "name: acme\nquery: beta\n")
    (problem,) = check_watchlists([tmp_path])
    assert str(problem) == (
        f"{tmp_path}/b.yaml:1: the watch-list name 'acme' is already used by {tmp_path}/a.yaml; "
        "give each watch-list its own name"
    )


def test_an_empty_folder_is_a_problem(tmp_path: Path) -> None:
    (problem,) = check_watchlists([tmp_path])
    assert "the folder holds no .yaml or .yml files" in str(problem)


def test_the_setting_takes_a_json_list_or_one_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWATCH_WATCHLISTS", str(tmp_path))
    assert Settings().watchlists == [tmp_path]
    monkeypatch.setenv("NEWSWATCH_WATCHLISTS", json.dumps([str(tmp_path), "extra.yaml"]))
    assert Settings().watchlists == [tmp_path, Path("extra.yaml")]
    monkeypatch.setenv("NEWSWATCH_WATCHLISTS", "")
    assert Settings().watchlists == []


def test_check_command_reads_folders_and_points_at_the_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "good.yaml", "name: good\nquery: acme\n")
    assert main(["watchlists", "check", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "ok: 1 watch-list file(s) valid\n"
    write(tmp_path, "bad.yaml", "name: bad\nquery: '(acme OR beta'\n")
    assert main(["watchlists", "check", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path}/bad.yaml:2:9: the '(' here is never closed; add a ')'",
        "1 problem(s) in 2 file(s)",
    ]


def test_a_worker_given_a_bad_query_refuses_to_start_with_file_line_and_column(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", "name: good\nquery: acme\n")
    bad = write(tmp_path, "bad.yaml", "name: bad\nquery: >\n  acme NEAR/6\n    (shipment* OR\n")
    # No broker at this address: the lists are refused before the worker connects to one.
    env = {"NEWSWATCH_WATCHLISTS": str(tmp_path), "NEWSWATCH_KAFKA_BOOTSTRAP": "127.0.0.1:1"}
    result = run_newswatch(env, "worker")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines()[-1] == f"newswatch: {bad}:4:16: 'OR' needs something to find after it"
    assert "newswatch worker:" not in result.stdout, "the worker must not have started"


def test_explain_command_shows_why_a_query_did_not_match(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    write(desk, "acme.yaml", "name: acme\nquery: 'acme NEAR/2 shipment* AND NOT title:parody'\n")
    monkeypatch.setenv("NEWSWATCH_WATCHLISTS", str(desk))
    article = {"id": "a1", "title": "News", "body": "Acme said that after a long wait the shipment left."}
    path = write(tmp_path, "article.jsonl", json.dumps(article) + "\n")
    assert main(["watchlists", "explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "acme: score 0 / threshold 1: no match" in out
    assert "  +0.00  query: no match" in out
    assert (
        "      no     acme NEAR/2 shipment*: too far: the nearest pair has 7 words between; "
        "NEAR/2 allows 2 words between"
    ) in out
    assert '                 body 0-4 "Acme": Acme said that after a long wait the shipment left.' in out
    assert "      yes    NOT title:parody: not found: nothing excluded" in out


def test_a_desk_counts_each_query_term_once_however_many_lists_share_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20 clients, each with its own name and the same four sector words: 24 distinct terms
    # in 100 uses. The limits on rules' words do not apply to queries.
    monkeypatch.setattr(budget, "MAX_WORDS", 10)
    monkeypatch.setattr(budget, "MAX_QUERY_TERMS", 24)
    sector = "(merger* OR takeover* OR stake OR Bid)"
    for number in range(20):
        write(
            tmp_path,
            f"client_{number:02d}.yaml",
            f"name: client_{number}\nquery: 'client{number} AND {sector}'\n",
        )
    assert len(load_watchlists([tmp_path])) == 20
    # "bid" and "Bid" find the same text: one term. A 25th distinct term passes the limit.
    write(tmp_path, "client_20.yaml", "name: client_20\nquery: 'client1 AND bid'\n")
    write(tmp_path, "client_21.yaml", "name: client_21\n\nquery: 'client21 AND bid'\n")
    write(tmp_path, "client_22.yaml", "name: client_22\nquery: 'client22'\n")
    (problem,) = check_watchlists([tmp_path])
    assert (problem.path.name, problem.line) == ("client_21.yaml", 3)
    assert str(problem.reason) == (
        "the queries look for more than 24 different terms in all, more than one worker should "
        "hold; load fewer watch-lists (split the desk between workers) (files after this one were not read)"
    )


def test_query_terms_in_all_are_limited_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "MAX_QUERY_TERM_USES", 5)
    write(tmp_path, "a.yaml", "name: a\nquery: 'acme AND beta AND gamma'\n")
    write(tmp_path, "b.yaml", "name: b\nquery: 'acme AND beta AND gamma'\n")
    (problem,) = check_watchlists([tmp_path])
    assert (problem.path.name, problem.line) == ("b.yaml", 2)
    assert problem.reason.startswith("the queries have more than 5 terms in all")
