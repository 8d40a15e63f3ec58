"""Connection settings: one place turns NEWSWATCH_KAFKA_* into client arguments, secrets kept secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from newswatch.errors import ConfigurationError
from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings

SECRET = "s3cr3t-value-never-shown"


def sasl_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "kafka_bootstrap": "broker:9093",
        "kafka_security_protocol": "SASL_PLAINTEXT",
        "kafka_sasl_username": "tagger",
        "kafka_sasl_password": SECRET,
        **overrides,
    }
    return Settings.model_validate(values)


def test_plaintext_by_default_gives_just_the_address() -> None:
    kwargs = KafkaConnection.from_settings(Settings(kafka_bootstrap="k:9092")).client_kwargs()
    assert kwargs == {"bootstrap_servers": "k:9092", "security_protocol": "PLAINTEXT"}


def test_sasl_arguments_reach_the_client_but_not_reprs_or_descriptions() -> None:
    settings = sasl_settings()
    connection = KafkaConnection.from_settings(settings)
    kwargs = connection.client_kwargs()
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == ("tagger", SECRET)
    for text in (repr(settings), str(settings), repr(connection), connection.describe()):
        assert SECRET not in text


def test_password_can_come_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "password"
    secret_file.write_text(SECRET + "\n")
    settings = sasl_settings(kafka_sasl_password=None, kafka_sasl_password_file=secret_file)
    assert KafkaConnection.from_settings(settings).client_kwargs()["sasl_plain_password"] == SECRET


def test_unreadable_password_file_names_the_variable(tmp_path: Path) -> None:
    settings = sasl_settings(kafka_sasl_password=None, kafka_sasl_password_file=tmp_path / "missing")
    with pytest.raises(ConfigurationError, match="NEWSWATCH_KAFKA_SASL_PASSWORD_FILE"):
        KafkaConnection.from_settings(settings)


def test_sasl_without_credentials_or_key_without_certificate_is_refused() -> None:
    with pytest.raises(ValidationError, match="NEWSWATCH_KAFKA_SASL_USERNAME"):
        sasl_settings(kafka_sasl_username=None)
    with pytest.raises(ValidationError, match="NEWSWATCH_KAFKA_SSL_CERTFILE"):
        Settings.model_validate({"kafka_ssl_keyfile": "/tmp/key.pem"})


def test_tls_files_that_do_not_exist_are_named(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {"kafka_security_protocol": "SSL", "kafka_ssl_cafile": str(tmp_path / "nope.pem")}
    )
    with pytest.raises(ConfigurationError, match=r"NEWSWATCH_KAFKA_SSL_CAFILE=.*nope.pem: no such file"):
        KafkaConnection.from_settings(settings)
