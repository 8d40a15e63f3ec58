"""The chat channel: apprise's JSON plugin (`json://`) posting to a real HTTP receiver, and
apprise's log lines kept free of the tokens inside its URLs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from newswatch.notify.channels.chat import ChatChannel, url_scheme
from newswatch.notify.channels.library_logs import MASK, RedactingFilter, url_pieces
from newswatch.notify.channels.messages import ChatMessage
from newswatch.notify.channels.result import DeliveryResult, Outcome
from tests.helpers.receivers import fail_first, free_port, http_receiver

TOKEN = "tok3n-0f-the-hook-8d2e"
PASSWORD = "chat-pa55w0rd-77"


async def send(message: ChatMessage, timeout: float = 5) -> DeliveryResult:
    channel = ChatChannel(timeout_seconds=timeout)
    try:
        return await channel.deliver(message)
    finally:
        await channel.close()


def json_url(base: str, path: str = "/hook") -> str:
    return base.replace("http://", "json://", 1) + path


@pytest.fixture
def apprise_at_debug() -> Iterator[None]:
    """Apprise's logger at DEBUG, as an operator chasing a problem might set it."""
    logger = logging.getLogger("apprise")
    ChatChannel(1)  # sets the library loggers up (to WARNING), so set DEBUG after it
    before = logger.level
    logger.setLevel(logging.DEBUG)
    yield
    logger.setLevel(before)


async def test_json_url_posts_title_and_body_to_the_receiver() -> None:
    async with http_receiver() as receiver:
        result = await send(ChatMessage(json_url(receiver.url), "Talks resume", "3 outlets: ..."))
    assert result == DeliveryResult.ok()
    [request] = receiver.requests
    assert request.method == "POST" and request.path == "/hook"
    payload = json.loads(request.body)
    assert (payload["title"], payload["message"]) == ("Talks resume", "3 outlets: ...")


async def test_a_failing_chat_service_is_retryable() -> None:
    async with http_receiver(fail_first(1, 500)) as receiver:
        failed = await send(ChatMessage(json_url(receiver.url), "t", "b"))
        recovered = await send(ChatMessage(json_url(receiver.url), "t", "b"))
    assert failed == DeliveryResult.retryable("the json service did not accept it (apprise: FAILURE)")
    assert recovered.is_ok


async def test_no_chat_server_is_retryable() -> None:
    result = await send(ChatMessage(f"json://127.0.0.1:{free_port()}/hook", "t", "b"))
    assert result.outcome is Outcome.RETRYABLE


async def test_a_url_apprise_cannot_use_is_permanent_and_names_only_its_scheme() -> None:
    result = await send(ChatMessage(f"nosuchservice://{TOKEN}/x", "t", "b"))
    assert result == DeliveryResult.permanent(
        "not a URL apprise can send to (nosuchservice://...); see apprise's list of services"
    )
    garbage = await send(ChatMessage(TOKEN, "t", "b"))
    assert garbage.outcome is Outcome.PERMANENT and TOKEN not in garbage.reason


async def test_a_hanging_chat_service_is_cut_off_at_the_timeout() -> None:
    async with http_receiver(hang=True) as receiver:
        result = await send(ChatMessage(json_url(receiver.url), "t", "b"), timeout=0.5)
    assert result.outcome is Outcome.RETRYABLE


async def test_a_token_apprise_logs_at_warning_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # Apprise refuses this Chanify token (no "!" allowed) and quotes it in a warning of its own.
    result = await send(ChatMessage(f"chanify://{TOKEN}!bad", "t", "b"))
    assert result.outcome is Outcome.PERMANENT
    apprise_lines = [r.getMessage() for r in caplog.records if r.name == "apprise"]
    assert any(MASK in line for line in apprise_lines), apprise_lines
    assert TOKEN not in caplog.text


@pytest.mark.usefixtures("apprise_at_debug")
async def test_even_at_debug_apprise_logs_no_password_or_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with http_receiver(fail_first(1, 500)) as receiver:
        base = receiver.url.replace("http://", f"json://newswatch:{PASSWORD}@", 1)
        await send(ChatMessage(f"{base}/hooks/{TOKEN}", "t", "b"))
        await send(ChatMessage(f"{base}/hooks/{TOKEN}", "t", "b"))
    assert receiver.requests[0].path == f"/hooks/{TOKEN}"  # the token did reach the receiver
    assert any(r.name == "apprise" and r.levelno == logging.DEBUG for r in caplog.records)
    assert TOKEN not in caplog.text and PASSWORD not in caplog.text


def test_the_filter_masks_every_piece_of_the_url_while_it_is_sent() -> None:
    redact = RedactingFilter()
    url = f"tgram://{TOKEN}/-100200300?format=markdown&key={PASSWORD}"
    record = logging.LogRecord(
        "apprise", logging.WARNING, __file__, 1, "sending to %s via %s", (url, TOKEN), None
    )
    with redact.hiding(url):
        redact.filter(record)
    assert record.getMessage() == f"sending to {MASK} via {MASK}"
    after = logging.LogRecord("apprise", logging.WARNING, __file__, 1, "token %s", (TOKEN,), None)
    redact.filter(after)
    assert after.getMessage() == f"token {TOKEN}"  # nothing hidden once the URL is no longer sent
    assert {TOKEN, "-100200300", PASSWORD} <= url_pieces(url)


def test_url_scheme_never_returns_more_than_the_scheme() -> None:
    assert url_scheme("SLACK://T0/B0/XX") == "slack"
    assert url_scheme(TOKEN) == "?"
    assert url_scheme(f"{TOKEN}-is-not-a-scheme-at-all://x") == "?"
