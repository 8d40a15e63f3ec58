"""How every newswatch client connects to Kafka: address, TLS and SASL, in one place.

Built once from the settings (`KafkaConnection.from_settings`) and handed to the
replayer, the worker, topic admin and `newswatch run`, so that a secured cluster is
one set of NEWSWATCH_KAFKA_* variables for all of them. The password is kept as a
`SecretStr` and never appears in a repr, a log line or an error message.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from newswatch.errors import ConfigurationError
from newswatch.settings import Settings


@dataclass(frozen=True)
class KafkaConnection:
    bootstrap: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = field(default=None, repr=False)
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)

    @classmethod
    def plaintext(cls, bootstrap: str) -> KafkaConnection:
        return cls(bootstrap)

    @classmethod
    def from_settings(cls, settings: Settings) -> KafkaConnection:
        protocol = settings.kafka_security_protocol
        uses_sasl = protocol.startswith("SASL_")
        return cls(
            bootstrap=settings.bootstrap_servers,
            security_protocol=protocol,
            sasl_mechanism=settings.kafka_sasl_mechanism if uses_sasl else None,
            sasl_username=settings.kafka_sasl_username if uses_sasl else None,
            sasl_password=settings.sasl_password() if uses_sasl else None,
            ssl_context=_ssl_context(settings) if protocol in ("SSL", "SASL_SSL") else None,
        )

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
        kwargs: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": self.security_protocol,
        }
        if self.ssl_context is not None:
            kwargs["ssl_context"] = self.ssl_context
        if self.sasl_mechanism is not None:
            kwargs["sasl_mechanism"] = self.sasl_mechanism
            kwargs["sasl_plain_username"] = self.sasl_username
            kwargs["sasl_plain_password"] = (
                self.sasl_password.get_secret_value() if self.sasl_password else None
            )
        return kwargs

    def describe(self) -> str:
        """Where and how we connect, for messages: never the password."""
        who = f" as {self.sasl_username} ({self.sasl_mechanism})" if self.sasl_mechanism else ""
        return f"{self.bootstrap} over {self.security_protocol}{who}"


def _ssl_context(settings: Settings) -> ssl.SSLContext:
    cafile = _readable(settings.kafka_ssl_cafile, "NEWSWATCH_KAFKA_SSL_CAFILE")
    try:
        context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except ssl.SSLError as exc:
        raise ConfigurationError(
            f"NEWSWATCH_KAFKA_SSL_CAFILE={cafile} is not a PEM CA bundle: {exc}"
        ) from None
    certfile = _readable(settings.kafka_ssl_certfile, "NEWSWATCH_KAFKA_SSL_CERTFILE")
    keyfile = _readable(settings.kafka_ssl_keyfile, "NEWSWATCH_KAFKA_SSL_KEYFILE")
    if certfile is not None:
        key_password = settings.kafka_ssl_key_password
        try:
            context.load_cert_chain(
                str(certfile),
                str(keyfile) if keyfile else None,
                key_password.get_secret_value() if key_password else None,
            )
        except ssl.SSLError as exc:
            raise ConfigurationError(
                f"the client certificate {certfile} and key {keyfile} cannot be used together "
                f"(check NEWSWATCH_KAFKA_SSL_KEY_PASSWORD): {exc.reason or exc}"
            ) from None
    return context


def _readable(path: Path | None, variable: str) -> Path | None:
    if path is not None and not path.is_file():
        raise ConfigurationError(f"{variable}={path}: no such file")
    return path
