"""Compiled databases kept between starts: used only when they are exactly what would be compiled."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

import hyperscan
import pytest

from newswatch.watchlists import Engine, Watchlist
from newswatch.watchlists.rules.loader import read_watchlist_text
from newswatch.watchlists.scoring import database_cache
from newswatch.watchlists.scoring.database_cache import DatabaseCache, database_key
from tests.helpers.watchlists import terms_yaml

MODE = hyperscan.HS_MODE_BLOCK
TITLE, BODY = "Sanctions on Acme", "Acme Dynamics shipped missiles; sanktionen und Sanksinya."


def lists(*terms: str) -> list[Watchlist]:
    return [read_watchlist_text(Path("test_list.yaml"), terms_yaml(*terms))]


def matches(engine: Engine) -> list[tuple[str, float, list[tuple[str, int, int]]]]:
    return [
        (match.watchlist, match.score, [(hit.term, hit.start, hit.end) for hit in match.hits])
        for match in engine.match(TITLE, BODY, "en")
    ]


def compiled(expressions: list[bytes]) -> hyperscan.Database:
    database = hyperscan.Database(mode=MODE)
    database.compile(
        expressions=expressions,
        ids=list(range(len(expressions))),
        elements=len(expressions),
        flags=[0] * len(expressions),
        literal=True,
    )
    return database


def never_compiled() -> hyperscan.Database:
    raise AssertionError("compiled although a stored database was expected")


def stored(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{database_cache.SUFFIX}"))


def test_a_restart_with_the_same_lists_reads_the_database_instead_of_compiling(tmp_path: Path) -> None:
    cache = DatabaseCache(tmp_path)
    key = database_key([b"acme", b"sanksi"], 0, mode=MODE, literal=True)
    cache.database(key, MODE, lambda: compiled([b"acme", b"sanksi"]))
    database = DatabaseCache(tmp_path).database(key, MODE, never_compiled)
    found: list[tuple[int, int]] = []
    database.scan(b"acme sanksinya", match_event_handler=lambda id_, _, end, *__: found.append((id_, end)))
    assert found == [(0, 4), (1, 11)]


def test_an_engine_from_stored_databases_matches_as_a_compiled_one(tmp_path: Path) -> None:
    terms = ("acme dynamics", "sanksi*", "*sanktionen", "missile*", "sanctions")
    expected = matches(Engine(lists(*terms)))
    first = Engine(lists(*terms), databases=DatabaseCache(tmp_path))
    restarted = Engine(lists(*terms), databases=DatabaseCache(tmp_path))
    assert expected and matches(first) == matches(restarted) == expected
    assert len(stored(tmp_path)) == 1


def test_other_literals_ids_or_compiler_make_another_key() -> None:
    key = database_key([b"acme", b"beta"], 0, mode=MODE, literal=True)
    assert key != database_key([b"acme", b"betb"], 0, mode=MODE, literal=True)
    assert key != database_key([b"acme", b"beta"], 1, mode=MODE, literal=True)
    assert key != database_key([b"acme", b"beta"], 0, mode=MODE, literal=False)
    assert key != database_key([b"acmebeta"], 0, mode=MODE, literal=True)
    assert key != database_key([b"acm", b"ebeta"], 0, mode=MODE, literal=True)


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-100])


def rewrite_payload(path: Path) -> None:
    """A header that checks out over a payload Hyperscan cannot read."""
    data = path.read_bytes()
    magic, key = database_cache._MAGIC, data.split(b"\n")[1]
    payload = b"not a hyperscan database"
    digest = hashlib.sha256(payload).hexdigest().encode()
    path.write_bytes(magic + key + b"\n" + digest + b"\n" + payload)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (corrupt, "does not have the SHA-256"),
        (truncate, "does not have the SHA-256"),
        (lambda path: path.write_bytes(b"PK\x03\x04"), "not a compiled watch-list database"),
        (rewrite_payload, "Hyperscan refuses it"),
    ],
)
def test_a_damaged_file_is_ignored_logged_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: Callable[[Path], object], reason: str
) -> None:
    terms = ("acme dynamics", "sanksi*")
    Engine(lists(*terms), databases=DatabaseCache(tmp_path))
    (path,) = stored(tmp_path)
    damage(path)
    with caplog.at_level(logging.WARNING):
        engine = Engine(lists(*terms), databases=DatabaseCache(tmp_path))
    assert matches(engine) == matches(Engine(lists(*terms)))
    (record,) = caplog.records
    assert record.getMessage().startswith(f"ignored the compiled watch-lists {path} (")
    assert record.getMessage().endswith("); compiling them again")
    assert reason in record.getMessage()
    key = path.name.removesuffix(database_cache.SUFFIX)
    DatabaseCache(tmp_path).database(key, MODE, never_compiled)  # replaced by a good one


def test_a_file_holding_another_keys_database_is_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = DatabaseCache(tmp_path)
    key_a = database_key([b"acme"], 0, mode=MODE, literal=True)
    key_b = database_key([b"beta"], 0, mode=MODE, literal=True)
    cache.database(key_a, MODE, lambda: compiled([b"acme"]))
    os.replace(tmp_path / f"{key_a}.hsdb", tmp_path / f"{key_b}.hsdb")
    with caplog.at_level(logging.WARNING):
        database = cache.database(key_b, MODE, lambda: compiled([b"beta"]))
    assert "holds the database of key" in caplog.text
    found: list[int] = []
    database.scan(b"acme beta", match_event_handler=lambda id_, *_: found.append(id_))
    assert found == [0]  # beta's, at id 0


def test_a_folder_that_cannot_be_written_costs_only_the_compile(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        engine = Engine(lists("acme dynamics"), databases=DatabaseCache(blocked / "databases"))
    assert matches(engine) == matches(Engine(lists("acme dynamics")))
    assert "cannot keep the compiled watch-lists" in caplog.text
    assert list(tmp_path.iterdir()) == [blocked]  # no half-written file left


def test_only_the_most_recently_used_databases_are_kept(tmp_path: Path) -> None:
    cache = DatabaseCache(tmp_path, keep=2)
    keys = [database_key([word], 0, mode=MODE, literal=True) for word in (b"acme", b"beta", b"gamma")]
    cache.database(keys[0], MODE, lambda: compiled([b"acme"]))
    cache.database(keys[1], MODE, lambda: compiled([b"beta"]))
    now = (tmp_path / f"{keys[1]}.hsdb").stat().st_mtime
    for key, age in ((keys[0], 120), (keys[1], 60)):
        os.utime(tmp_path / f"{key}.hsdb", (now - age, now - age))
    cache.database(keys[0], MODE, never_compiled)  # used again: now the most recent of the two
    cache.database(keys[2], MODE, lambda: compiled([b"gamma"]))
    assert stored(tmp_path) == sorted(tmp_path / f"{key}.hsdb" for key in (keys[0], keys[2]))
