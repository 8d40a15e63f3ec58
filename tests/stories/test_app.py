"""The stories stage's Faust wiring: its table logs to the changelog topic newswatch creates,
the index derived from the table is dropped when partitions move, and with stories off
the worker has no stage, no table and no internal topics."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry

from newswatch.kafka.admin import _configs
from newswatch.kafka.connection import KafkaConnection
from newswatch.metrics import TaggerMetrics
from newswatch.settings import Settings
from newswatch.tagger.app import Tagger
from newswatch.tagger.reloading import EngineSlot
from newswatch.watchlist_topic.catalog import Catalog
from newswatch.watchlists import Engine


def tagger(tmp_path: Path, **settings_changes: object) -> Tagger:
    engine = Engine.default()
    changes = {"stories_enabled": True, **settings_changes}
    settings = Settings(state_dir=tmp_path, kafka_bootstrap="127.0.0.1:9092", app_id="nw", **changes)  # type: ignore[arg-type]
    registry = CollectorRegistry()
    metrics = TaggerMetrics(registry, engine.watchlist_names)
    return Tagger(
        settings,
        KafkaConnection.from_settings(settings),
        EngineSlot((engine, []), [], Catalog(), list, metrics),
        metrics,
        registry,
    )


def test_the_table_logs_to_the_changelog_newswatch_creates_compacted(tmp_path: Path) -> None:
    worker = tagger(tmp_path, topic_partitions=6)
    stage = worker.stories
    assert stage is not None
    settings = worker.settings
    assert stage.table.name == "stories"
    assert stage.table.changelog_topic_name == settings.story_changelog_topic == "nw-stories-changelog"
    assert stage.requests.get_topic_name() == settings.story_request_topic == "nw-stories-by-watchlist"
    assert stage.table.partitions == 6
    assert set(settings.all_topics) >= {settings.story_changelog_topic, settings.story_request_topic}
    assert _configs(settings.story_changelog_topic) == {"cleanup.policy": "compact"}
    assert _configs(settings.story_request_topic) == {}
    # Faust declares no topic itself: newswatch creates them, with the partitions it chose.
    assert worker.app.conf.topic_allow_declare is False
    agents = {agent.name for agent in worker.app.agents.values()}
    assert {"newswatch.tag_articles", "newswatch.place_stories"} <= agents


async def test_partitions_moving_drop_the_derived_index_and_the_tables_copy(tmp_path: Path) -> None:
    worker = tagger(tmp_path)
    stage = worker.stories
    assert stage is not None
    first = stage.state()
    assert stage.state() is first, "kept while partitions stay"
    # Keys the worker wrote since its last recovery, which Faust's store would keep for good.
    stage.table.data["story/wl/a1"] = {"size": 1}
    await worker.app.on_partitions_revoked.send(set())
    assert dict(stage.table.data.items()) == {}, "recovery rebuilds what this worker still owns"
    second = stage.state()
    assert second is not first
    await worker.app.on_rebalance_complete.send()
    assert stage.state() is not second


def test_with_stories_off_the_worker_is_as_before(tmp_path: Path) -> None:
    worker = tagger(tmp_path, stories_enabled=False)
    assert worker.stories is None
    assert not worker.app.tables
    assert [agent.name for agent in worker.app.agents.values()] == ["newswatch.tag_articles"]
    settings = worker.settings
    assert settings.story_request_topic not in settings.all_topics
    assert settings.story_changelog_topic not in settings.all_topics
