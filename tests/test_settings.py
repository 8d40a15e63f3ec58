from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from pydantic import ValidationError

from newswatch.cli import main
from newswatch.errors import ConfigurationError
from newswatch.settings import SASL_PASSWORD_FILE_MAX_BYTES, Settings, unknown_variables

# Distinctive pieces of a password file's content; none may show in any message or traceback.
SECRET_PIECES = ("hunter2", "tail-of-secret", "xe9", "\xe9")


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


def test_unknown_newswatch_variables_are_named_whatever_the_case() -> None:
    environ = {
        "NEWSWATCH_METRIC_PORT": "7000",  # misspelt NEWSWATCH_METRICS_PORT
        "newswatch_log_levle": "debug",
        "NEWSWATCH_LOG_LEVEL": "info",
        "newswatch_topic_partitions": "3",  # read by pydantic-settings: case does not matter
        "NEWSWATCH_IMAGE_TAG": "v1",  # docker-compose.yml's, not a setting but not a mistake
        "WEB_PORT": "7777",
    }
    assert unknown_variables(environ) == ["NEWSWATCH_METRIC_PORT", "newswatch_log_levle"]


def test_every_setting_is_a_known_variable() -> None:
    environ = {f"NEWSWATCH_{field.upper()}": "x" for field in Settings.model_fields}
    assert unknown_variables(environ) == []


def test_cli_warns_about_an_unknown_variable_by_name_never_by_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWSWATCH_METRIC_PORT", "value-never-shown")
    main(["schemas", "--check", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert "NEWSWATCH_METRIC_PORT is not a setting" in err
    assert "did you mean NEWSWATCH_METRICS_PORT?" in err
    assert "value-never-shown" not in err


def _password_file_error(path: Path) -> str:
    settings = Settings.model_validate(
        {
            "kafka_security_protocol": "SASL_PLAINTEXT",
            "kafka_sasl_username": "tagger",
            "kafka_sasl_password_file": path,
        }
    )
    with pytest.raises(ConfigurationError) as caught:
        settings.sasl_password()
    shown = "".join(traceback.format_exception(caught.value))
    for piece in SECRET_PIECES:
        assert piece not in shown, f"{piece!r} of the password file shows in:\n{shown}"
    message = str(caught.value)
    assert f"NEWSWATCH_KAFKA_SASL_PASSWORD_FILE={path}" in message
    return message


def test_password_file_not_utf8_is_refused_without_showing_a_byte(tmp_path: Path) -> None:
    path = tmp_path / "password"
    path.write_bytes(b"hunter2\xe9tail-of-secret\n")
    assert "not UTF-8 text (an invalid byte at position 7)" in _password_file_error(path)


def test_password_file_too_large_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "password"
    path.write_bytes(b"hunter2" * (SASL_PASSWORD_FILE_MAX_BYTES // 7 + 1))
    assert f"larger than {SASL_PASSWORD_FILE_MAX_BYTES:,} bytes" in _password_file_error(path)


def test_password_file_missing_empty_or_a_folder_is_refused(tmp_path: Path) -> None:
    assert "No such file or directory" in _password_file_error(tmp_path / "missing")
    assert "Is a directory" in _password_file_error(tmp_path)
    empty = tmp_path / "empty"
    empty.write_text(" \n")
    assert "the file is empty" in _password_file_error(empty)
