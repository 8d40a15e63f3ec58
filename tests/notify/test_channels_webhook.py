"""The webhook channel against real HTTP receivers on loopback."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from newswatch.notify.channels.messages import WebhookMessage
from newswatch.notify.channels.result import DeliveryResult, Outcome
from newswatch.notify.channels.webhook import WebhookChannel, classify, parse_retry_after
from tests.helpers.receivers import fail_first, free_port, http_receiver, status

BODY = json.dumps({"story_id": "s-1", "title": "Talks resume"}).encode()
HEADERS = {"Idempotency-Key": "n-0123456789abcdef", "X-Newswatch-Signature": "sha256=abc"}


async def test_posts_the_body_with_json_content_type_and_the_given_headers() -> None:
    channel = WebhookChannel(timeout_seconds=5)
    try:
        async with http_receiver() as receiver:
            result = await channel.deliver(WebhookMessage(f"{receiver.url}/hook?x=1", BODY, HEADERS))
    finally:
        await channel.close()
    assert result == DeliveryResult.ok()
    [request] = receiver.requests
    assert (request.method, request.path, request.body) == ("POST", "/hook?x=1", BODY)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == "n-0123456789abcdef"
    assert request.headers["X-Newswatch-Signature"] == "sha256=abc"


async def test_a_receiver_failing_with_503_is_retryable_and_retry_after_is_read() -> None:
    channel = WebhookChannel(timeout_seconds=5)
    try:
        async with http_receiver(fail_first(2, 503, {"Retry-After": "3"})) as receiver:
            message = WebhookMessage(f"{receiver.url}/hook", BODY, HEADERS)
            results = [await channel.deliver(message) for _ in range(3)]
    finally:
        await channel.close()
    assert results == [DeliveryResult.retryable("HTTP 503", retry_after=3.0)] * 2 + [DeliveryResult.ok()]
    # Every attempt carries the same idempotency key.
    assert {request.headers["Idempotency-Key"] for request in receiver.requests} == {"n-0123456789abcdef"}


async def test_a_400_is_permanent() -> None:
    channel = WebhookChannel(timeout_seconds=5)
    try:
        async with http_receiver(status(400)) as receiver:
            result = await channel.deliver(WebhookMessage(receiver.url, BODY))
    finally:
        await channel.close()
    assert result == DeliveryResult.permanent("HTTP 400")


async def test_a_hanging_receiver_is_cut_off_at_the_timeout_and_retryable() -> None:
    channel = WebhookChannel(timeout_seconds=0.5)
    try:
        async with http_receiver(hang=True) as receiver:
            started = time.monotonic()
            result = await channel.deliver(WebhookMessage(receiver.url, BODY))
            took = time.monotonic() - started
    finally:
        await channel.close()
    assert result == DeliveryResult.retryable("no response within 0.5 s")
    assert 0.4 < took < 2.0
    assert len(receiver.requests) == 1


async def test_a_closed_port_is_retryable_and_a_bad_url_permanent_without_quoting_it() -> None:
    channel = WebhookChannel(timeout_seconds=2)
    try:
        refused = await channel.deliver(WebhookMessage(f"http://127.0.0.1:{free_port()}/hook", BODY))
        bad = await channel.deliver(WebhookMessage("hxxp://hooks.example.org/token-s3cr3t", BODY))
    finally:
        await channel.close()
    assert refused.outcome is Outcome.RETRYABLE and refused.reason.startswith("connection failed (")
    assert bad == DeliveryResult.permanent("not an http(s) URL")


def test_statuses_are_classified() -> None:
    assert classify(204) == DeliveryResult.ok()
    for code in (408, 429, 500, 502, 503, 504, 599):
        assert classify(code).outcome is Outcome.RETRYABLE, code
    for code in (400, 401, 403, 404, 410, 413, 422):
        assert classify(code) == DeliveryResult.permanent(f"HTTP {code}"), code
    assert classify(301).outcome is Outcome.PERMANENT
    # Retry-After counts on 429 and 503 only.
    assert classify(429, "5").retry_after == 5
    assert classify(500, "5").retry_after is None


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Sat, 01 Mar 2025 12:00:30 GMT", now) == 30
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", now) == 0  # in the past: now
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after(None, now) is None
