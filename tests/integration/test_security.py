"""A secured cluster: SASL_SSL (SCRAM-SHA-512) with mutual TLS, certificates made here.

The test starts its own broker with a SASL_SSL listener beside a plaintext one. The
pipeline (topics, worker, replayer) talks SASL_SSL only; the test reads the results
back through the plaintext listener with kcat, independently of newswatch.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from newswatch.kafka.local_broker import LocalBroker, find_deploy_dir
from tests.helpers.environment import (
    free_port,
    isolated_env,
    newswatch_command,
    run_newswatch,
    subprocess_env,
)
from tests.helpers.kafka import wait_for_records
from tests.helpers.paths import REPO_ROOT, SEED_ARTICLE
from tests.helpers.workers import StartWorker

pytestmark = pytest.mark.integration

USER = "newswatch-tagger"
PASSWORD = "correct-horse-battery-staple-7"
KEYSTORE_PASSWORD = "keystore-pass"


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(folder: Path) -> None:
    """A CA, a broker certificate for 127.0.0.1 in a PKCS12 keystore, and a client certificate."""
    folder.mkdir()
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=newswatch-test-ca",
            "-keyout", "ca.key", "-out", "ca.pem", cwd=folder)  # fmt: skip
    for name in ("broker", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
                "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=folder)  # fmt: skip
        (folder / f"{name}.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=folder)  # fmt: skip
    openssl("pkcs12", "-export", "-in", "broker.pem", "-inkey", "broker.key", "-name", "broker",
            "-out", "broker.p12", "-passout", f"pass:{KEYSTORE_PASSWORD}", cwd=folder)  # fmt: skip


@pytest.fixture
def secured_broker(tmp_path: Path) -> tuple[LocalBroker, str, Path]:
    """(broker, SASL_SSL bootstrap, certificate folder); stopped after the test."""
    certs = tmp_path / "certs"
    make_certificates(certs)
    plain_port, controller_port, secure_port = free_port(), free_port(), free_port()
    main_jars = REPO_ROOT / ".newswatch" / "kafka" / "libs"
    broker = LocalBroker(
        find_deploy_dir(REPO_ROOT),
        tmp_path / "broker",
        plain_port,
        controller_port,
        jars_dir=main_jars if main_jars.is_dir() else None,
        extra_properties={
            "listeners": f"PLAINTEXT://127.0.0.1:{plain_port},CONTROLLER://127.0.0.1:{controller_port},"
            f"SASL_SSL://127.0.0.1:{secure_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{plain_port},SASL_SSL://127.0.0.1:{secure_port}",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL",
            "sasl.enabled.mechanisms": "SCRAM-SHA-512",
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            ),
            "ssl.keystore.type": "PKCS12",
            "ssl.keystore.location": str(certs / "broker.p12"),
            "ssl.keystore.password": KEYSTORE_PASSWORD,
            "ssl.key.password": KEYSTORE_PASSWORD,
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(certs / "ca.pem"),
            "ssl.client.auth": "required",
        },
        format_args=["--add-scram", f"SCRAM-SHA-512=[name={USER},password={PASSWORD}]"],
    )
    broker.up()
    yield broker, f"127.0.0.1:{secure_port}", certs  # type: ignore[misc]
    broker.down()


def secured_env(bootstrap: str, certs: Path, tmp_path: Path, password: str = PASSWORD) -> dict[str, str]:
    return {
        **isolated_env(bootstrap, "secure", tmp_path / "state"),
        "NEWSWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "NEWSWATCH_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "NEWSWATCH_KAFKA_SASL_USERNAME": USER,
        "NEWSWATCH_KAFKA_SASL_PASSWORD": password,
        "NEWSWATCH_KAFKA_SSL_CAFILE": str(certs / "ca.pem"),
        "NEWSWATCH_KAFKA_SSL_CERTFILE": str(certs / "client.pem"),
        "NEWSWATCH_KAFKA_SSL_KEYFILE": str(certs / "client.key"),
    }


def test_the_whole_pipeline_works_over_sasl_ssl(
    secured_broker: tuple[LocalBroker, str, Path],
    start_worker: StartWorker,
    tmp_path: Path,
) -> None:
    broker, bootstrap, certs = secured_broker
    env = secured_env(bootstrap, certs, tmp_path)
    worker = start_worker(env)
    replayed = run_newswatch(env, "replay", str(SEED_ARTICLE))
    assert replayed.returncode == 0, replayed.stderr

    alerts = wait_for_records(broker.bootstrap, env["NEWSWATCH_ALERTS_TOPIC"], 3)
    assert {alert["watchlist"] for _, alert in alerts} == {"sanctions", "arms_transfers", "korean_peninsula"}

    metrics = worker.scrape()
    worker.stop()
    for text in (worker.log.read_text(), replayed.stdout, replayed.stderr, metrics):
        assert PASSWORD not in text, "the SASL password leaked into output"


def test_a_wrong_password_fails_fast_with_a_clear_message_that_hides_it(
    secured_broker: tuple[LocalBroker, str, Path], tmp_path: Path
) -> None:
    _, bootstrap, certs = secured_broker
    wrong = "not-the-password-42"
    env = secured_env(bootstrap, certs, tmp_path, password=wrong)
    for command in (["topics"], ["worker"]):
        started = time.monotonic()
        result = subprocess.run(
            newswatch_command(*command), env=subprocess_env(env), cwd=REPO_ROOT,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        assert result.returncode == 1, result.stdout + result.stderr
        assert elapsed < 20, f"`newswatch {command[0]}` took {elapsed:.0f} s to give up"
        assert "refused the credentials" in result.stderr
        assert "NEWSWATCH_KAFKA_SASL_PASSWORD" in result.stderr
        assert wrong not in result.stdout + result.stderr


def test_a_missing_ca_file_is_named() -> None:
    result = run_newswatch(
        {
            "NEWSWATCH_KAFKA_BOOTSTRAP": "127.0.0.1:1",
            "NEWSWATCH_KAFKA_SECURITY_PROTOCOL": "SSL",
            "NEWSWATCH_KAFKA_SSL_CAFILE": "/nonexistent/ca.pem",
        },
        "topics",
    )
    assert result.returncode == 1
    assert "NEWSWATCH_KAFKA_SSL_CAFILE=/nonexistent/ca.pem: no such file" in result.stderr


def test_help_and_settings_errors_never_show_a_password() -> None:
    secret = "hunter2-do-not-print"
    env = {"NEWSWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "NEWSWATCH_KAFKA_SASL_PASSWORD": secret}
    result = run_newswatch(env, "topics")  # no username: a settings error
    assert result.returncode == 2
    assert "NEWSWATCH_KAFKA_SASL_USERNAME" in result.stderr
    assert secret not in result.stdout + result.stderr
    shown = run_newswatch(env, "--help")
    assert secret not in shown.stdout + shown.stderr
