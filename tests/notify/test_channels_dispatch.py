"""The channels together, as the notifier will call them: one task per destination, each
with its retries; real receivers on loopback, retry sleeps on a fake clock where they
would only make the test slow."""

from __future__ import annotations

import asyncio
import base64
import logging
import ssl
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from newswatch.notify.channels import (
    Channels,
    ChatMessage,
    DeliveryResult,
    EmailMessage,
    Final,
    RetryPolicy,
    WebhookMessage,
)
from newswatch.notify.channels.chat import ChatChannel
from newswatch.notify.channels.dispatch import describe
from newswatch.notify.channels.email import EmailChannel, SmtpConnection
from newswatch.notify.channels.webhook import WebhookChannel
from newswatch.settings import Settings
from tests.helpers.receivers import fail_first, http_receiver, self_signed_certificate, smtp_receiver, status

TOKEN = "hook-t0ken-5ecret-91a7"
SMTP_PASSWORD = "smtp-5ecret-pa55-31c"
CHAT_PASSWORD = "chat-5ecret-pa55-4d2"
EMAIL = EmailMessage("n-42", "desk@example.org", "[list] Title (2 outlets)", "text", "<p>html</p>")


class NoWait:
    """A clock for the retry loop that jumps instead of sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    async def sleep(self, seconds: float) -> None:
        self.offset += seconds


def make_channels(
    *,
    webhook_timeout: float = 5,
    smtp: SmtpConnection | None = None,
    policy: RetryPolicy | None = None,
    fake_time: bool = True,
) -> Channels:
    clock = NoWait()
    timing = {"clock": clock, "sleep": clock.sleep} if fake_time else {}
    return Channels(
        webhook=WebhookChannel(webhook_timeout),
        chat=ChatChannel(5),
        email=EmailChannel(smtp) if smtp is not None else None,
        policy=policy or RetryPolicy(budget_seconds=60, base_seconds=1, max_seconds=10),
        **timing,  # type: ignore[arg-type]
    )


def plain_smtp(port: int) -> SmtpConnection:
    return SmtpConnection("127.0.0.1", port, "none", "newswatch@example.org", timeout_seconds=5)


async def test_each_destination_gets_its_own_outcome_in_order() -> None:
    headers = {"Idempotency-Key": "n-42"}
    async with (
        http_receiver(fail_first(2, 503)) as flaky,
        http_receiver(status(400)) as refusing,
        http_receiver() as chat,
    ):
        with smtp_receiver() as mail:
            async with make_channels(smtp=plain_smtp(mail.port)) as channels:
                deliveries = await channels.deliver_all(
                    [
                        WebhookMessage(f"{flaky.url}/hook", b"{}", headers),
                        WebhookMessage(f"{refusing.url}/hook", b"{}", headers),
                        ChatMessage(chat.url.replace("http", "json", 1), "title", "body"),
                        EMAIL,
                    ]
                )
    assert [d.final for d in deliveries] == [Final.DELIVERED, Final.REFUSED, Final.DELIVERED, Final.DELIVERED]
    assert [d.attempts for d in deliveries] == [3, 1, 1, 1]
    assert deliveries[1].reason == "refused after 1 attempt(s): HTTP 400"
    # Three POSTs to the flaky receiver, one key: a receiver can tell they are one notification.
    assert [r.headers["Idempotency-Key"] for r in flaky.requests] == ["n-42"] * 3
    assert len(mail.messages) == 1 and len(chat.requests) == 1


async def test_a_hanging_webhook_does_not_delay_the_email() -> None:
    webhook_timeout = 0.5
    policy = RetryPolicy(budget_seconds=0.8, base_seconds=0.1, max_seconds=0.2)
    async with http_receiver(hang=True) as hanging:
        with smtp_receiver() as mail:
            channels = make_channels(
                webhook_timeout=webhook_timeout, smtp=plain_smtp(mail.port), policy=policy, fake_time=False
            )
            async with channels:
                started = time.monotonic()
                webhook = asyncio.create_task(channels.deliver(WebhookMessage(hanging.url, b"{}")))
                email = await channels.deliver(EMAIL)
                email_took = time.monotonic() - started
                stalled = await webhook
                webhook_took = time.monotonic() - started
    assert email.delivered and len(mail.messages) == 1
    assert email_took < webhook_timeout, "the email waited for the hanging webhook"
    assert stalled.final is Final.EXHAUSTED and stalled.attempts in (1, 2)  # 2 unless the machine is slow
    assert stalled.last == DeliveryResult.retryable("no response within 0.5 s")
    assert webhook_took < policy.budget_seconds + 2 * webhook_timeout


async def test_email_without_smtp_settings_is_refused_with_what_to_set() -> None:
    async with make_channels() as channels:
        delivery = await channels.deliver(EMAIL)
    assert delivery.final is Final.REFUSED
    assert "NEWSWATCH_SMTP_HOST" in delivery.reason


async def test_a_bug_in_a_channel_is_a_permanent_failure_logged_without_its_message(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: WebhookChannel, message: WebhookMessage) -> DeliveryResult:
        raise KeyError(f"https://hooks.example.org/{TOKEN}")

    monkeypatch.setattr(WebhookChannel, "deliver", broken)
    async with make_channels() as channels:
        delivery = await channels.deliver(WebhookMessage(f"https://hooks.example.org/{TOKEN}", b"{}"))
    assert delivery.final is Final.REFUSED
    assert delivery.last.reason.startswith("unexpected KeyError at test_channels_dispatch.py:")
    assert TOKEN not in caplog.text and TOKEN not in delivery.reason


async def test_no_secret_reaches_the_logs_at_debug(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """Webhook token in the path, chat password in the URL, SMTP password at login: failing
    and retried (so every log line of the retry loop is written), at DEBUG everywhere."""
    caplog.set_level(logging.DEBUG)
    certificate = self_signed_certificate(tmp_path)
    trusting = ssl.create_default_context(cafile=str(certificate.cert))
    async with http_receiver(fail_first(1, 503)) as hooks, http_receiver(fail_first(1, 500)) as chat:
        with smtp_receiver(starttls=certificate.server_context()) as mail:
            smtp = SmtpConnection(
                "127.0.0.1", mail.port, "starttls", "newswatch@example.org", 5,
                username="newswatch", password=SecretStr(SMTP_PASSWORD), ssl_context=trusting,
            )  # fmt: skip
            chat_url = chat.url.replace("http://", f"json://newswatch:{CHAT_PASSWORD}@", 1) + f"/{TOKEN}"
            async with make_channels(smtp=smtp) as channels:
                deliveries = await channels.deliver_all(
                    [
                        WebhookMessage(f"{hooks.url}/hooks/{TOKEN}", b"{}"),
                        ChatMessage(chat_url, "t", "b"),
                        EMAIL,
                    ]
                )
    assert [d.final for d in deliveries] == [Final.DELIVERED] * 3
    assert mail.logins == [("newswatch", SMTP_PASSWORD)]
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "retrying in" in ours  # the retry loop did log, with the destinations
    secrets = [TOKEN, SMTP_PASSWORD, CHAT_PASSWORD, base64.b64encode(SMTP_PASSWORD.encode()).decode()]
    assert [secret for secret in secrets if secret in ours] == []


def test_destinations_are_logged_masked() -> None:
    webhook = WebhookMessage(f"https://user:pw@hooks.example.org:8443/x/{TOKEN}?k=v", b"")
    assert describe(webhook) == "https://user:****@hooks.example.org:8443/x/****?k=v"
    assert describe(ChatMessage(f"tgram://{TOKEN}/-1001", "t", "b")) == "tgram://****/-1001"
    assert describe(EMAIL) == "mailto:desk@example.org"


async def test_channels_from_settings() -> None:
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_from="newswatch@example.org",
        webhook_timeout_seconds=3,
        notify_retry_seconds=9,
    )
    async with Channels.from_settings(settings) as channels:
        assert channels.email is not None and channels.email.connection.host == "127.0.0.1"
        assert channels.webhook.timeout_seconds == 3
        assert channels.policy.budget_seconds == 9
    async with Channels.from_settings(Settings()) as channels:
        assert channels.email is None
