"""Email delivery: multipart/alternative (text and HTML) through SMTP with smtplib.

The SMTP settings become one `SmtpConnection` (password as a `SecretStr`, never in a
repr or an error); each message is sent on a new connection in the channel's own
threads, under NEWSWATCH_SMTP_TIMEOUT_SECONDS. The Message-ID is derived from the
notification id, so the copy a retry sends again has the same one.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime
from typing import Literal

from pydantic import SecretStr

from newswatch.errors import ConfigurationError
from newswatch.notify.channels.messages import EmailMessage
from newswatch.notify.channels.result import DeliveryResult
from newswatch.notify.channels.threads import ThreadRunner
from newswatch.settings import Settings

# What may stand left of the @ of a Message-ID (RFC 5322 dot-atom-text, less the rarest).
_NOT_IN_MESSAGE_ID = re.compile(r"[^A-Za-z0-9._+=-]")
_FALLBACK_DOMAIN = "newswatch.invalid"


@dataclass(frozen=True)
class SmtpConnection:
    host: str
    port: int
    security: Literal["starttls", "tls", "none"]
    sender: str
    timeout_seconds: float = 30.0
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConnection | None:
        """The connection the settings describe; None when NEWSWATCH_SMTP_HOST is unset."""
        if settings.smtp_host is None:
            return None
        assert settings.smtp_from is not None  # the settings refuse a host without a sender
        secured = settings.smtp_security != "none"
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            sender=settings.smtp_from,
            timeout_seconds=settings.smtp_timeout_seconds,
            username=settings.smtp_username,
            password=settings.smtp_password_secret(),
            ssl_context=_ssl_context(settings.smtp_ssl_cafile) if secured else None,
        )


def _ssl_context(cafile: object) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=str(cafile) if cafile is not None else None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(
            f"NEWSWATCH_SMTP_SSL_CAFILE={cafile}: cannot be read as a PEM CA bundle ({type(exc).__name__})"
        ) from None


class EmailChannel:
    """Sends `EmailMessage`s through one SMTP server; `close()` releases its threads."""

    def __init__(self, connection: SmtpConnection, threads: ThreadRunner | None = None) -> None:
        self.connection = connection
        self._threads = threads or ThreadRunner("smtp")

    async def deliver(self, message: EmailMessage) -> DeliveryResult:
        try:
            mime = build_email(message, self.connection.sender)
        except ValueError as exc:  # a header with a line break, an unusable address
            return DeliveryResult.permanent(f"the email cannot be built: {exc}")
        try:
            await self._threads.run(lambda: send(self.connection, mime), self.connection.timeout_seconds)
        except TimeoutError:
            return DeliveryResult.retryable(
                f"the SMTP server did not finish within {self.connection.timeout_seconds:g} s"
            )
        except (smtplib.SMTPException, OSError) as exc:
            return classify_smtp_error(exc)
        return DeliveryResult.ok()

    async def close(self) -> None:
        self._threads.close()


def build_email(message: EmailMessage, sender: str, now: datetime | None = None) -> MimeMessage:
    """The MIME message: text part first, HTML second (a reader shows the last it can)."""
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(now or datetime.now(UTC))
    mime["Message-ID"] = message_id(message.notification_id, sender)
    # RFC 3834: machine-sent; vacation responders and auto-replies leave it alone.
    mime["Auto-Submitted"] = "auto-generated"
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime


def message_id(notification_id: str, sender: str) -> str:
    """`<notification-id@sender's domain>`: the same for every copy of one notification."""
    left = _NOT_IN_MESSAGE_ID.sub("-", notification_id) or "notification"
    domain = sender.rpartition("@")[2].strip(" >") or _FALLBACK_DOMAIN
    return f"<{left}@{domain}>"


def send(connection: SmtpConnection, mime: MimeMessage) -> None:
    """Send one message on a new connection (blocking: run it in a thread)."""
    timeout = connection.timeout_seconds
    client: smtplib.SMTP
    if connection.security == "tls":
        client = smtplib.SMTP_SSL(
            connection.host, connection.port, timeout=timeout, context=connection.ssl_context
        )
    else:
        client = smtplib.SMTP(connection.host, connection.port, timeout=timeout)
    with client:
        client.ehlo()
        if connection.security == "starttls":
            client.starttls(context=connection.ssl_context)
            client.ehlo()
        if connection.username is not None:
            password = connection.password.get_secret_value() if connection.password else ""
            client.login(connection.username, password)
        client.send_message(mime)


def classify_smtp_error(exc: smtplib.SMTPException | OSError) -> DeliveryResult:
    """A 4xx reply, a lost connection or a timeout may pass; a 5xx reply, a refused login or
    certificate, or a server without STARTTLS will not until someone changes something."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        reason = f"recipient refused (SMTP {', '.join(map(str, codes))})"
        if any(code < 500 for code in codes):
            return DeliveryResult.retryable(reason)
        return DeliveryResult.permanent(reason)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryResult.permanent(
            f"SMTP login refused (SMTP {exc.smtp_code}); check NEWSWATCH_SMTP_USERNAME and the password"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryResult.permanent(f"{exc}; check NEWSWATCH_SMTP_SECURITY")
    if isinstance(exc, smtplib.SMTPResponseException):
        reason = f"SMTP {exc.smtp_code}"
        if 400 <= exc.smtp_code < 500:
            return DeliveryResult.retryable(reason)
        return DeliveryResult.permanent(reason)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryResult.permanent(
            "the SMTP server's TLS certificate could not be verified; check NEWSWATCH_SMTP_HOST "
            "and NEWSWATCH_SMTP_SSL_CAFILE"
        )
    if isinstance(exc, ssl.SSLError):
        return DeliveryResult.permanent(
            f"TLS with the SMTP server failed ({exc.reason}); check NEWSWATCH_SMTP_SECURITY and _PORT"
        )
    if isinstance(exc, TimeoutError):
        return DeliveryResult.retryable("the SMTP server did not answer in time")
    return DeliveryResult.retryable(f"SMTP connection failed ({type(exc).__name__})")
