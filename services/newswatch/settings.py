"""Every knob of newswatch in one typed, frozen object, read from `NEWSWATCH_*` variables.

Build it once in `main()` (`Settings()`) and pass it down; nothing reads the
environment anywhere else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from newswatch.errors import ConfigurationError

LOCAL_BROKER_HOST = "127.0.0.1"
ENV_PREFIX = "NEWSWATCH_"
# A password file is read whole into memory: a wrong path (a log, a disk image) must not be.
SASL_PASSWORD_FILE_MAX_BYTES = 64 * 1024
# NEWSWATCH_* variables that are not settings of the program but are read elsewhere.
OTHER_VARIABLES = frozenset({"NEWSWATCH_IMAGE_TAG"})  # docker-compose.yml's image tag


class Settings(BaseSettings):
    """Every setting of newswatch: Kafka connection, topics, limits, ports, watch-lists.

    Built once in `main()` from `NEWSWATCH_<FIELD>` environment variables (the table is
    in the README) and passed down; keyword arguments override them, as tests do.

    Guarantees: frozen once built; invalid values and incomplete SASL/TLS settings are
    refused at construction, with the variable named; secrets are `SecretStr`, never
    shown in a repr or an error.
    """

    model_config = SettingsConfigDict(env_prefix="NEWSWATCH_", frozen=True, extra="ignore")

    kafka_bootstrap: str | None = Field(
        default=None,
        description="host:port[,host:port] of an existing Kafka cluster. "
        "Unset: use (and start when needed) the local broker from deploy/kafka.",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = Field(default=None, description="Never logged or shown.")
    kafka_sasl_password_file: Path | None = Field(
        default=None, description="A file holding the SASL password (e.g. a mounted secret)."
    )
    kafka_ssl_cafile: Path | None = Field(default=None, description="PEM CA bundle to verify the brokers.")
    kafka_ssl_certfile: Path | None = Field(default=None, description="PEM client certificate (mutual TLS).")
    kafka_ssl_keyfile: Path | None = Field(
        default=None, description="PEM private key of the client certificate."
    )
    kafka_ssl_key_password: SecretStr | None = None
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
    watchlists_topic: str = Field(
        default="news.watchlists",
        description="The compacted topic of published watch-lists (`newswatch watchlists publish`), "
        "keyed by name; every worker follows it, its lists win over the files' by name.",
    )
    topic_partitions: int = Field(default=4, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)

    app_id: str = Field(
        default="newswatch-tagger",
        description="Faust app id; also the consumer group of the worker.",
    )
    metrics_host: str = Field(default="127.0.0.1", description="Address the worker's /metrics binds to.")
    metrics_port: int = Field(default=6066, description="Port of the worker's /metrics endpoint.")
    watchlists: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="Watch-list YAML files and folders (a folder: every .yaml and .yml file in it), "
        "as a JSON list or one path. Empty: the packaged defaults.",
    )
    subscriptions: Path | None = Field(
        default=None,
        description="The subscriptions YAML file of `newswatch notify` (docs/notify.md). Unset: no notifier.",
    )
    max_article_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Records larger than this go to the dead-letter topic as too_large, unparsed.",
    )
    record_budget_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Tagging one record may take this long; a record still being tagged after it "
        "goes to the dead-letter topic as too_slow (checked between the engine's stages).",
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    stories_enabled: bool = Field(
        default=True,
        description="Group alerts into stories and raise spikes (the stories stage of the worker). "
        "False: alerts go straight to the alerts topic with story_id null.",
    )
    stories_topic: str = "news.stories"
    spikes_topic: str = "news.spikes"
    story_window_hours: float = Field(
        default=72,
        gt=0,
        description="A story no article joined for this long (in event time) is forgotten.",
    )
    spike_min_count: int = Field(default=5, ge=1, description="Fewer new stories in an hour are no spike.")
    spike_sensitivity: float = Field(
        default=1e-4,
        gt=0,
        lt=1,
        description="Largest Poisson tail probability of an hour's count that is still a spike.",
    )
    spike_cooldown_hours: float = Field(
        default=6, ge=0, description="After a spike, the watch-list stays silent this long."
    )

    # Delivery channels of `newswatch notify` (notify/channels/).
    smtp_host: str | None = Field(
        default=None, description="SMTP server for mailto: destinations. Unset: email cannot be sent."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description="starttls: upgrade a plain connection (port 587); tls: TLS from the start (465); "
        "none: plain text, only without a password (a relay on loopback or inside the cluster).",
    )
    smtp_username: str | None = None
    smtp_password: SecretStr | None = Field(default=None, description="Never logged or shown.")
    smtp_password_file: Path | None = Field(
        default=None, description="A file holding the SMTP password (e.g. a mounted secret)."
    )
    smtp_from: str | None = Field(
        default=None, description="Sender address of notification emails; required with NEWSWATCH_SMTP_HOST."
    )
    smtp_ssl_cafile: Path | None = Field(
        default=None, description="PEM CA bundle to verify the SMTP server (default: the system's)."
    )
    smtp_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Limit of one email delivery: connect, TLS, login and send."
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Limit of one webhook POST, from connect to the response."
    )
    chat_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Limit of one chat (apprise) delivery."
    )
    notify_retry_seconds: float = Field(
        default=600.0,
        ge=0,
        description="A failing destination is retried this long; then the notification is dead-lettered.",
    )
    notify_retry_base_seconds: float = Field(
        default=1.0, gt=0, description="Delay before the first retry; doubled for each later one."
    )
    notify_retry_max_seconds: float = Field(
        default=60.0, gt=0, description="Longest delay between two attempts (a Retry-After too)."
    )
    notifications_dlq_topic: str = Field(
        default="news.notifications.dlq",
        description="Where `newswatch notify` puts a notification a destination refused or never took.",
    )
    notify_metrics_port: int = Field(
        default=6067, description="Port of the notifier's /metrics and /healthz endpoints."
    )
    notify_digest_min_seconds: int = Field(
        default=60,
        ge=1,
        description="The shortest `digest:` period a subscription may ask for (as `30s`, `1m`...); "
        "lower it only for tests.",
    )
    notify_sent_window_hours: float = Field(
        default=72,
        gt=0,
        description="The notifier remembers a sent notification id this long: a record read again "
        "within it is not sent again.",
    )

    @field_validator("watchlists", mode="before")
    @classmethod
    def _watchlists_as_list(cls, value: object) -> object:
        """A JSON list, or one file or folder written plainly: NEWSWATCH_WATCHLISTS=/desk/lists."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)  # a ValueError: pydantic names the variable
        return [text] if text else []

    @model_validator(mode="after")
    def _smtp_is_complete(self) -> Settings:
        if self.smtp_host is not None and not self.smtp_from:
            raise ValueError("NEWSWATCH_SMTP_HOST is set without NEWSWATCH_SMTP_FROM (the sender address)")
        has_password = self.smtp_password is not None or self.smtp_password_file is not None
        if has_password and not self.smtp_username:
            raise ValueError(
                "NEWSWATCH_SMTP_PASSWORD (or _PASSWORD_FILE) is set without NEWSWATCH_SMTP_USERNAME"
            )
        if has_password and self.smtp_security == "none":
            raise ValueError(
                "NEWSWATCH_SMTP_SECURITY=none would send the SMTP password in clear text; use starttls or tls"
            )
        return self

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> Settings:
        if self.kafka_security_protocol.startswith("SASL_") and (
            not self.kafka_sasl_username
            or (self.kafka_sasl_password is None and self.kafka_sasl_password_file is None)
        ):
            raise ValueError(
                f"NEWSWATCH_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "NEWSWATCH_KAFKA_SASL_USERNAME and NEWSWATCH_KAFKA_SASL_PASSWORD (or _PASSWORD_FILE)"
            )
        if self.kafka_ssl_keyfile is not None and self.kafka_ssl_certfile is None:
            raise ValueError("NEWSWATCH_KAFKA_SSL_KEYFILE is set without NEWSWATCH_KAFKA_SSL_CERTFILE")
        return self

    def sasl_password(self) -> SecretStr | None:
        """The SASL password, from the variable or, when only a file is given, from that file."""
        if self.kafka_sasl_password is not None or self.kafka_sasl_password_file is None:
            return self.kafka_sasl_password
        return read_password_file(self.kafka_sasl_password_file, "NEWSWATCH_KAFKA_SASL_PASSWORD_FILE")

    def smtp_password_secret(self) -> SecretStr | None:
        """The SMTP password, from the variable or, when only a file is given, from that file."""
        if self.smtp_password is not None or self.smtp_password_file is None:
            return self.smtp_password
        return read_password_file(self.smtp_password_file, "NEWSWATCH_SMTP_PASSWORD_FILE")

    @property
    def bootstrap_servers(self) -> str:
        return self.kafka_bootstrap or f"{LOCAL_BROKER_HOST}:{self.local_kafka_port}"

    @property
    def uses_local_broker(self) -> bool:
        return self.kafka_bootstrap is None

    @property
    def topics(self) -> tuple[str, str, str]:
        return (self.articles_topic, self.alerts_topic, self.dead_letter_topic)

    @property
    def story_request_topic(self) -> str:
        """The repartition topic between the tagger and the stories agent, keyed by watch-list."""
        return f"{self.app_id}-stories-by-watchlist"

    @property
    def story_changelog_topic(self) -> str:
        """The changelog of the `stories` table: Faust's name for it, `{app_id}-{table}-changelog`."""
        return f"{self.app_id}-stories-changelog"

    @property
    def all_topics(self) -> tuple[str, ...]:
        """Every topic the worker uses: the three above, the stories and spikes topics, and
        with stories enabled the stage's two internal topics; and the notifier's dead letters."""
        internal = (self.story_request_topic, self.story_changelog_topic) if self.stories_enabled else ()
        return (*self.topics, self.stories_topic, self.spikes_topic, *internal, self.notifications_dlq_topic)

    @property
    def notify_app_id(self) -> str:
        """The notifier's Faust app id, and so its consumer group: apart from the worker's."""
        return f"{self.app_id}-notify"

    @property
    def notify_sent_changelog_topic(self) -> str:
        """The changelog of the notifier's `sent` table (Faust: `{app id}-{table}-changelog`)."""
        return f"{self.notify_app_id}-sent-changelog"

    @property
    def notify_digest_topic(self) -> str:
        """The notifier's internal topic of digest entries and ticks, keyed by subscription."""
        return f"{self.notify_app_id}-digest-entries"

    @property
    def notify_digest_changelog_topic(self) -> str:
        """The changelog of the notifier's `digests` table (pending digests)."""
        return f"{self.notify_app_id}-digests-changelog"

    @property
    def notify_topics(self) -> tuple[str, ...]:
        """The topics `newswatch notify` reads, writes, and keeps its state in."""
        return (
            self.alerts_topic,
            self.stories_topic,
            self.spikes_topic,
            self.notifications_dlq_topic,
            self.notify_sent_changelog_topic,
            self.notify_digest_topic,
            self.notify_digest_changelog_topic,
        )


def read_password_file(path: Path, variable: str) -> SecretStr:
    """The password held in `path` (named by `variable` in messages), checked; never in an error."""
    where = f"{variable}={path}"
    try:
        with path.open("rb") as file:
            raw = file.read(SASL_PASSWORD_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigurationError(f"{where}: {exc.strerror or type(exc).__name__}") from None
    if len(raw) > SASL_PASSWORD_FILE_MAX_BYTES:
        raise ConfigurationError(
            f"{where}: the file is larger than {SASL_PASSWORD_FILE_MAX_BYTES:,} bytes; "
            "it should hold the password only"
        )
    try:
        password = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        # Only the position: the exception's own message quotes the byte, a piece of the secret.
        bad_position = exc.start
    else:
        if not password:
            raise ConfigurationError(f"{where}: the file is empty; it should hold the password")
        return SecretStr(password)
    # Raised outside the `except` so that no traceback chains the UnicodeDecodeError in.
    raise ConfigurationError(
        f"{where}: the file is not UTF-8 text (an invalid byte at position {bad_position}); "
        "save the password as UTF-8"
    )


def setting_variables() -> set[str]:
    """The variable of every setting: `NEWSWATCH_` and the field name in upper case."""
    return {ENV_PREFIX + field.upper() for field in Settings.model_fields}


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """Names of the `NEWSWATCH_*` variables in `environ` that no setting reads, sorted.

    A misspelt variable would otherwise be silently ignored. Only names: a value may be a secret.
    """
    known = setting_variables() | OTHER_VARIABLES
    # Matched like pydantic-settings reads them: case-insensitively.
    return sorted(
        name for name in environ if name.upper().startswith(ENV_PREFIX) and name.upper() not in known
    )
