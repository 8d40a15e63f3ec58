from __future__ import annotations

import pytest
from pydantic import ValidationError

from newswatch.settings import Settings


def test_defaults_use_the_local_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSWATCH_KAFKA_BOOTSTRAP", raising=False)
    settings = Settings()
    assert settings.uses_local_broker
    assert settings.bootstrap_servers == "127.0.0.1:9092"
    assert settings.topics == ("news.articles", "news.alerts", "news.articles.dlq")
    assert settings.topic_partitions == 4


def test_environment_with_prefix_configures_and_settings_are_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWATCH_KAFKA_BOOTSTRAP", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("NEWSWATCH_TOPIC_PARTITIONS", "12")
    settings = Settings()
    assert not settings.uses_local_broker
    assert settings.bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert settings.topic_partitions == 12
    with pytest.raises(ValidationError):
        settings.topic_partitions = 3  # type: ignore[misc]


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWATCH_TOPIC_PARTITIONS", "0")
    with pytest.raises(ValidationError, match="topic_partitions"):
        Settings()
