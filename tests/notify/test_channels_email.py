"""The email channel against a real SMTP server on loopback (aiosmtpd): plain, STARTTLS
with a login, and TLS from the start, with a certificate made for the test run."""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from newswatch.cli import describe_settings_error
from newswatch.notify.channels.email import EmailChannel, SmtpConnection, classify_smtp_error, message_id
from newswatch.notify.channels.messages import EmailMessage
from newswatch.notify.channels.result import DeliveryResult, Outcome
from newswatch.settings import Settings
from tests.helpers.receivers import Certificate, free_port, self_signed_certificate, smtp_receiver

PASSWORD = "smtp-pa55-hunter2"
MESSAGE = EmailMessage(
    notification_id="korea-desk:story:3f2a9c",
    to="korea-desk@example.org",
    subject="[korean_peninsula] Talks resume (3 outlets)",
    text="Talks resume\n\nmatched: talks\n",
    html="<p>Talks <mark>resume</mark></p>",
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed_certificate(tmp_path_factory.mktemp("smtp-tls"))


def connection(port: int, security: str = "none", **more: object) -> SmtpConnection:
    return SmtpConnection(
        host="127.0.0.1",
        port=port,
        security=security,
        sender="newswatch@alerts.example.org",  # type: ignore[arg-type]
        timeout_seconds=5,
        **more,  # type: ignore[arg-type]
    )


async def send(conn: SmtpConnection, message: EmailMessage = MESSAGE) -> DeliveryResult:
    channel = EmailChannel(conn)
    try:
        return await channel.deliver(message)
    finally:
        await channel.close()


async def test_plain_smtp_delivers_a_multipart_email_with_the_notification_message_id() -> None:
    with smtp_receiver() as receiver:
        result = await send(connection(receiver.port))
    assert result == DeliveryResult.ok()
    [mail] = receiver.messages
    assert mail["Subject"] == "[korean_peninsula] Talks resume (3 outlets)"
    assert mail["From"] == "newswatch@alerts.example.org"
    assert mail["To"] == "korea-desk@example.org"
    assert mail["Message-ID"] == "<korea-desk-story-3f2a9c@alerts.example.org>"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_content_type() == "multipart/alternative"
    text, html = mail.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert text.get_content().replace("\r\n", "\n") == MESSAGE.text
    assert (html.get_content_type(), html.get_content().strip()) == ("text/html", MESSAGE.html)
    assert receiver.envelopes[0].rcpt_tos == ["korea-desk@example.org"]


async def test_the_same_notification_sent_twice_has_the_same_message_id() -> None:
    with smtp_receiver() as receiver:
        assert await send(connection(receiver.port)) == DeliveryResult.ok()
        assert await send(connection(receiver.port)) == DeliveryResult.ok()
    assert len({mail["Message-ID"] for mail in receiver.messages}) == 1


async def test_starttls_with_login_against_a_certificate_made_for_the_test(
    certificate: Certificate, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    trusting = ssl.create_default_context(cafile=str(certificate.cert))
    with smtp_receiver(starttls=certificate.server_context()) as receiver:
        conn = connection(
            receiver.port,
            "starttls",
            username="newswatch",
            password=SecretStr(PASSWORD),
            ssl_context=trusting,
        )
        result = await send(conn)
    assert result == DeliveryResult.ok()
    assert receiver.logins == [("newswatch", PASSWORD)]
    assert receiver.messages[0]["Message-ID"] == "<korea-desk-story-3f2a9c@alerts.example.org>"
    assert PASSWORD not in repr(conn)
    assert_never_logged(caplog, PASSWORD)


async def test_implicit_tls(certificate: Certificate) -> None:
    trusting = ssl.create_default_context(cafile=str(certificate.cert))
    with smtp_receiver(implicit_tls=certificate.server_context()) as receiver:
        result = await send(connection(receiver.port, "tls", ssl_context=trusting))
    assert result == DeliveryResult.ok()
    assert len(receiver.messages) == 1


async def test_an_unverified_certificate_is_permanent(certificate: Certificate) -> None:
    with smtp_receiver(starttls=certificate.server_context()) as receiver:
        result = await send(connection(receiver.port, "starttls", ssl_context=ssl.create_default_context()))
    assert result.outcome is Outcome.PERMANENT
    assert "certificate could not be verified" in result.reason
    assert receiver.messages == []


async def test_starttls_against_a_server_without_it_is_permanent() -> None:
    with smtp_receiver() as receiver:
        result = await send(connection(receiver.port, "starttls", ssl_context=ssl.create_default_context()))
    assert result.outcome is Outcome.PERMANENT
    assert "NEWSWATCH_SMTP_SECURITY" in result.reason


async def test_no_server_is_retryable_and_a_header_with_a_line_break_is_permanent() -> None:
    assert (await send(connection(free_port()))).outcome is Outcome.RETRYABLE
    injected = EmailMessage("n-1", "a@example.org", "Subject\r\nBcc: everyone@example.org", "t", "<p>t</p>")
    with smtp_receiver() as receiver:
        result = await send(connection(receiver.port), injected)
    assert result.outcome is Outcome.PERMANENT
    assert receiver.messages == []


def test_smtp_replies_are_classified_by_code() -> None:
    assert classify_smtp_error(smtplib.SMTPDataError(451, b"try later")).outcome is Outcome.RETRYABLE
    assert classify_smtp_error(smtplib.SMTPDataError(554, b"no")) == DeliveryResult.permanent("SMTP 554")
    refused_now = smtplib.SMTPRecipientsRefused({"a@x": (450, b"busy")})
    refused_forever = smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")})
    assert classify_smtp_error(refused_now).outcome is Outcome.RETRYABLE
    assert classify_smtp_error(refused_forever) == DeliveryResult.permanent("recipient refused (SMTP 550)")
    login = classify_smtp_error(smtplib.SMTPAuthenticationError(535, b"bad credentials"))
    assert login.outcome is Outcome.PERMANENT and "NEWSWATCH_SMTP_USERNAME" in login.reason
    assert classify_smtp_error(smtplib.SMTPServerDisconnected()).outcome is Outcome.RETRYABLE
    assert classify_smtp_error(TimeoutError()).outcome is Outcome.RETRYABLE


def test_message_id_is_derived_from_the_notification_id() -> None:
    assert message_id("abc123", "News Watch <watch@example.org>") == "<abc123@example.org>"
    assert message_id("a b<c>@d", "watch@example.org") == "<a-b-c--d@example.org>"
    assert message_id("", "nobody") == "<notification@nobody>"


def test_connection_from_settings_reads_the_password_file(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD + "\n")
    settings = Settings(
        smtp_host="mail.example.org",
        smtp_from="newswatch@example.org",
        smtp_username="newswatch",
        smtp_password_file=secret,
    )
    conn = SmtpConnection.from_settings(settings)
    assert conn is not None and conn.password is not None
    assert conn.password.get_secret_value() == PASSWORD
    assert (conn.host, conn.port, conn.security) == ("mail.example.org", 587, "starttls")
    assert PASSWORD not in repr(conn)
    assert SmtpConnection.from_settings(Settings()) is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"smtp_host": "mail.example.org"}, "NEWSWATCH_SMTP_FROM"),
        ({"smtp_password": PASSWORD}, "NEWSWATCH_SMTP_USERNAME"),
        ({"smtp_username": "u", "smtp_password": PASSWORD, "smtp_security": "none"}, "clear text"),
    ],
)
def test_incomplete_smtp_settings_are_refused_without_showing_the_password(
    values: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        Settings(**values)  # type: ignore[arg-type]
    shown = describe_settings_error(caught.value)  # what `newswatch` prints
    assert message in shown and PASSWORD not in shown


def assert_never_logged(caplog: pytest.LogCaptureFixture, secret: str) -> None:
    """Not the secret, nor its base64 (AUTH PLAIN/LOGIN), in any record but the test server's."""
    forms = {secret, base64.b64encode(secret.encode()).decode()}
    ours = [record for record in caplog.records if not record.name.startswith("mail.log")]
    for record in ours:
        text = record.getMessage()
        assert not any(form in text for form in forms), f"{record.name} logged a secret"
