"""The notifier's Faust wiring: its own app id and port, the `sent` and `digests` tables'
changelogs, and the internal digest topic."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry

from newswatch.kafka.admin import _configs
from newswatch.kafka.connection import KafkaConnection
from newswatch.metrics import NotifyMetrics
from newswatch.notify.channels import Channels
from newswatch.notify.reloading import SubscriptionsSlot
from newswatch.notify.service import Notifier
from newswatch.settings import Settings
from tests.notify.records import subscription


def test_the_notifier_has_its_own_group_port_and_compacted_sent_changelog(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path, kafka_bootstrap="127.0.0.1:9092", app_id="nw", topic_partitions=6)
    registry = CollectorRegistry()
    metrics = NotifyMetrics(registry, [("desk", ["webhook", "email"])])
    notifier = Notifier(
        settings,
        KafkaConnection.from_settings(settings),
        SubscriptionsSlot([subscription()], list, metrics),
        Channels.from_settings(settings),
        metrics=metrics,
        registry=registry,
    )
    assert notifier.app.conf.id == "nw-notify"
    assert notifier.app.conf.web_port == settings.notify_metrics_port == 6067
    assert (
        notifier.table.changelog_topic_name
        == settings.notify_sent_changelog_topic
        == "nw-notify-sent-changelog"
    )
    assert notifier.table.partitions == 6
    assert _configs(settings.notify_sent_changelog_topic) == {"cleanup.policy": "compact"}
    # One agent reads the three topics and the digest stage's own.
    assert set(notifier.records.topics) == {
        "news.alerts",
        "news.stories",
        "news.spikes",
        "nw-notify-digest-entries",
    }
    assert [agent.name for agent in notifier.app.agents.values()] == ["newswatch.notify"]
    assert settings.notifications_dlq_topic in settings.all_topics
    assert set(settings.notify_topics) >= {"news.notifications.dlq", "nw-notify-sent-changelog"}
    # Pending digests: a table co-partitioned with the digest topic it is written from.
    assert (
        notifier.digests.table.changelog_topic_name
        == settings.notify_digest_changelog_topic
        == "nw-notify-digests-changelog"
    )
    assert notifier.digests.table.partitions == 6
    assert _configs(settings.notify_digest_changelog_topic) == {"cleanup.policy": "compact"}
    assert (
        set(notifier.digests.topic.topics) == {settings.notify_digest_topic} == {"nw-notify-digest-entries"}
    )
    assert _configs(settings.notify_digest_topic) == {}
    assert {settings.notify_digest_topic, settings.notify_digest_changelog_topic} <= set(
        settings.notify_topics
    )
