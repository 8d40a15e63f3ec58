"""Every knob of newswatch in one typed, frozen object, read from `NEWSWATCH_*` variables.

Build it once in `main()` (`Settings()`) and pass it down; nothing reads the
environment anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_BROKER_HOST = "127.0.0.1"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSWATCH_", frozen=True, extra="ignore")

    kafka_bootstrap: str | None = Field(
        default=None,
        description="host:port[,host:port] of an existing Kafka cluster. "
        "Unset: use (and start when needed) the local broker from deploy/kafka.",
    )
    local_kafka_port: int = Field(default=9092, description="Port of the local broker's client listener.")
    local_kafka_controller_port: int = Field(
        default=9093, description="Port of the local broker's KRaft controller."
    )
    state_dir: Path = Field(
        default=Path(".newswatch"),
        description="Where the local broker's jars, data and logs and the worker's state live.",
    )

    articles_topic: str = "news.articles"
    alerts_topic: str = "news.alerts"
    dead_letter_topic: str = "news.articles.dlq"
    topic_partitions: int = Field(default=4, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)

    app_id: str = Field(
        default="newswatch-tagger",
        description="Faust app id; also the consumer group of the worker.",
    )
    metrics_host: str = Field(default="127.0.0.1", description="Address the worker's /metrics binds to.")
    metrics_port: int = Field(default=6066, description="Port of the worker's /metrics endpoint.")
    watchlists: list[Path] = Field(
        default_factory=list,
        description="Watch-list YAML files (JSON list in the variable). Empty: the packaged defaults.",
    )
    max_article_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Records larger than this go to the dead-letter topic as too_large, unparsed.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @property
    def bootstrap_servers(self) -> str:
        return self.kafka_bootstrap or f"{LOCAL_BROKER_HOST}:{self.local_kafka_port}"

    @property
    def uses_local_broker(self) -> bool:
        return self.kafka_bootstrap is None

    @property
    def topics(self) -> tuple[str, str, str]:
        return (self.articles_topic, self.alerts_topic, self.dead_letter_topic)
