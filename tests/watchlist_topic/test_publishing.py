"""`publish` validates the whole batch first: one bad file and nothing is sent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswatch.cli import main
from newswatch.contracts import yaml_sha256
from newswatch.errors import WatchlistsInvalid
from newswatch.watchlist_topic.publishing import prepare
from tests.helpers.watchlists import terms_yaml, write

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_a_folder_is_its_yaml_files_and_each_record_carries_the_text_checked(tmp_path: Path) -> None:
    write(tmp_path, "b.yaml", terms_yaml("blockade", name="beta"))
    write(tmp_path, "a.yml", terms_yaml("embargo", name="alpha", version="7"))
    write(tmp_path, "notes.txt", "not a watch-list")
    records = prepare([tmp_path], "ana@desk", NOW)
    assert [(item.name, item.version, item.source) for item in records] == [
        ("alpha", "7", "a.yml"),
        ("beta", "1", "b.yaml"),
    ]
    assert records[0].yaml == terms_yaml("embargo", name="alpha", version="7")
    assert records[0].sha256 == yaml_sha256(records[0].yaml)
    assert (records[0].published_by, records[0].published_at) == ("ana@desk", NOW)


def test_one_invalid_file_refuses_the_batch_with_file_and_line(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", terms_yaml("embargo", name="good"))
    bad = write(
        tmp_path, "bad.yaml", terms_yaml("embargo", name="bad").replace("threshold: 1.0", "threshold: lots")
    )
    with pytest.raises(WatchlistsInvalid) as caught:
        prepare([good, bad], "ana@desk", NOW)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{bad}:5: 'threshold' must be a number such as 1.0, not 'lots'"
    ]


def test_the_same_name_twice_in_a_batch_is_refused(tmp_path: Path) -> None:
    first = write(tmp_path, "one.yaml", terms_yaml("embargo", name="same"))
    second = write(tmp_path, "two.yaml", terms_yaml("blockade", name="same"))
    with pytest.raises(WatchlistsInvalid, match="already used by"):
        prepare([first, second], "ana@desk", NOW)


def test_missing_paths_and_empty_folders_are_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(WatchlistsInvalid) as caught:
        prepare([tmp_path / "nowhere.yaml", tmp_path / "empty"], "ana@desk", NOW)
    assert [problem.reason for problem in caught.value.problems] == [
        "no such file or folder",
        "the folder holds no .yaml or .yml file",
    ]


def test_the_command_prints_every_problem_and_publishes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No broker at this address: had the command tried to publish, it would fail otherwise.
    monkeypatch.setenv("NEWSWATCH_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    bad = write(tmp_path, "bad.yaml", "name: bad\nrules: [\n")
    assert main(["watchlists", "publish", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "not valid YAML" in err
    assert "nothing was published" in err


def test_a_bad_query_refuses_the_batch_at_its_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWATCH_KAFKA_BOOTSTRAP", "127.0.0.1:1")  # as above: nothing may be sent
    good = write(tmp_path, "good.yaml", "name: good\nquery: acme NEAR/6 shipment*\n")
    bad = write(tmp_path, "bad.yaml", "name: bad\nquery: '(acme OR beta) NEAR/6'\n")
    assert main(["watchlists", "publish", str(good), str(bad)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{bad}:2:24: 'NEAR/6' needs something to find after it",
        "1 problem(s); nothing was published",
    ]
