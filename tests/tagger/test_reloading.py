"""A reload swaps in a valid set of watch-lists and keeps the running one after a bad edit."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from newswatch.metrics import TaggerMetrics
from newswatch.tagger.reloading import EngineSlot
from newswatch.watchlists import Engine
from tests.helpers.watchlists import terms_yaml


def slot_for(path: Path, registry: CollectorRegistry) -> EngineSlot:
    metrics = TaggerMetrics(registry, ["watch"])
    return EngineSlot(Engine.from_paths([path]), lambda: Engine.from_paths([path]), metrics)


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
