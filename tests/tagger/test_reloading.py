"""A reload swaps in a valid set of watch-lists and keeps the running one after a bad edit;
the watch-lists topic's lists win over the files' by name, and a SIGHUP keeps them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from newswatch.metrics import TaggerMetrics
from newswatch.tagger.reloading import EngineSlot
from newswatch.watchlist_topic.catalog import Catalog
from newswatch.watchlist_topic.file_lists import load_file_lists
from newswatch.watchlist_topic.records import Published, Removed, read_record
from newswatch.watchlists import Engine
from tests.helpers.watchlists import published_json, terms_yaml


def slot_for(path: Path, registry: CollectorRegistry) -> EngineSlot:
    metrics = TaggerMetrics(registry, ["watch"])
    return EngineSlot.start(load_file_lists([path]), Catalog(), lambda: load_file_lists([path]), metrics)


def matched(engine: Engine, body: str) -> bool:
    return bool(engine.match("A title", body, "en"))


def reloads(registry: CollectorRegistry, result: str) -> float | None:
    return registry.get_sample_value("newswatch_watchlist_reloads_total", {"result": result})


async def test_an_edited_list_is_used_after_the_reload(tmp_path: Path) -> None:
    path = tmp_path / "watch.yaml"
    path.write_text(terms_yaml("embargo", name="watch"), encoding="utf-8")
    registry = CollectorRegistry()
    slot = slot_for(path, registry)
    loaded_at = registry.get_sample_value("newswatch_watchlists_loaded_timestamp_seconds")
    assert not matched(slot.current, "A new blockade was announced.")

    path.write_text(terms_yaml("blockade", name="watch"), encoding="utf-8")
    assert await slot.reload() is True

    assert matched(slot.current, "A new blockade was announced.")
    assert not matched(slot.current, "An embargo was announced.")
    assert reloads(registry, "ok") == 1
    assert reloads(registry, "failed") == 0
    assert registry.get_sample_value("newswatch_watchlists_loaded_timestamp_seconds") > loaded_at


async def test_a_broken_edit_keeps_the_running_lists_and_logs_file_and_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "watch.yaml"
    path.write_text(terms_yaml("embargo", name="watch"), encoding="utf-8")
    registry = CollectorRegistry()
    slot = slot_for(path, registry)
    running = slot.current

    path.write_text(terms_yaml("embargo", name="watch") + "unknown_key: 1\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        assert await slot.reload() is False

    assert slot.current is running
    assert matched(slot.current, "An embargo was announced.")
    assert reloads(registry, "failed") == 1
    assert reloads(registry, "ok") == 0
    assert f"{path}:" in caplog.text, "the log names the file and line to fix"
    assert "the running ones stay in use" in caplog.text


def topic_change(name: str, text: str | None, offset: int = 0) -> Published | Removed:
    return read_record("t", 0, offset, name.encode(), None if text is None else published_json(text))


def in_force_info(registry: CollectorRegistry) -> set[tuple[str, str, str]]:
    """(watchlist, version, origin) of every `newswatch_watchlist_in_force_info` series at 1."""
    [family] = [item for item in registry.collect() if item.name == "newswatch_watchlist_in_force_info"]
    labels = [sample.labels for sample in family.samples if sample.value == 1]
    return {(item["watchlist"], item["version"], item["origin"]) for item in labels}


async def test_a_published_list_wins_over_the_file_and_its_removal_brings_the_file_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "watch.yaml"
    path.write_text(terms_yaml("embargo", name="watch"), encoding="utf-8")
    registry = CollectorRegistry()
    slot = slot_for(path, registry)
    assert in_force_info(registry) == {("watch", "1", "file")}

    published, _ = slot.catalog.applied(
        [topic_change("watch", terms_yaml("blockade", name="watch", version="2"))]
    )
    assert await slot.apply(published) is True
    assert matched(slot.current, "A new blockade was announced.")
    assert not matched(slot.current, "An embargo was announced.")
    assert in_force_info(registry) == {("watch", "2", "topic")}

    # A SIGHUP reads the files again but keeps the topic's version of the name.
    assert await slot.reload() is True
    assert matched(slot.current, "A new blockade was announced.")

    assert await slot.apply(slot.catalog.applied([topic_change("watch", None)])[0]) is True
    assert matched(slot.current, "An embargo was announced.")
    assert not matched(slot.current, "A new blockade was announced.")
    assert in_force_info(registry) == {("watch", "1", "file")}
    assert registry.get_sample_value("newswatch_watchlists_in_force") == 1


async def test_a_published_list_of_a_new_name_is_added_to_the_files(tmp_path: Path) -> None:
    path = tmp_path / "watch.yaml"
    path.write_text(terms_yaml("embargo", name="watch"), encoding="utf-8")
    registry = CollectorRegistry()
    slot = slot_for(path, registry)

    assert await slot.apply(
        slot.catalog.applied([topic_change("extra", terms_yaml("blockade", name="extra"))])[0]
    )
    assert slot.current.watchlist_names == ("extra", "watch")
    assert in_force_info(registry) == {("watch", "1", "file"), ("extra", "1", "topic")}
    assert registry.get_sample_value("newswatch_alerts_emitted_total", {"watchlist": "extra"}) == 0
