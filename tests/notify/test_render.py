"""Rendering: webhook bodies and signed headers, emails with highlighted, escaped evidence,
and bounded output for hostile articles."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

from pydantic import SecretStr

from newswatch.contracts import Evidence
from newswatch.notify.digest import Digester
from newswatch.notify.render import digest_request, notification_request, sign, verify_signature
from newswatch.notify.render_email import digest_email, notification_email, one_line, snippet_span
from newswatch.notify.routing import Notification, route
from newswatch.notify.subscriptions import Subscription
from tests.helpers.stores import JsonStore
from tests.notify.records import T0, WEBHOOK, alert, spike, subscription

SIGNED = subscription(secret=SecretStr("topsecret"), spikes=True)
MIB = 1024 * 1024


def first(record: object, desk: Subscription = SIGNED) -> Notification:
    return route(record, [desk]).now[0]  # type: ignore[arg-type]


def test_webhook_body_is_the_alert_with_idempotency_key_and_signature() -> None:
    notification = first(alert("a1"))
    request = notification_request(notification, T0)
    assert json.loads(request.body)["alert_id"] == alert("a1").alert_id
    headers = request.headers
    assert headers["Idempotency-Key"] == notification.notification_id
    assert headers["X-Newswatch-Event"] == "story"
    timestamp = headers["X-Newswatch-Timestamp"]
    # What a receiver does, with nothing but hmac:
    expected = hmac.new(b"topsecret", f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert headers["X-Newswatch-Signature"] == f"sha256={expected}"
    assert verify_signature(request.body, timestamp, headers["X-Newswatch-Signature"], b"topsecret", now=T0)
    assert not verify_signature(
        request.body + b" ", timestamp, headers["X-Newswatch-Signature"], b"topsecret", now=T0
    )
    late = T0 + timedelta(minutes=6)
    assert not verify_signature(
        request.body, timestamp, headers["X-Newswatch-Signature"], b"topsecret", now=late
    )


def test_a_resend_has_the_same_body_and_key() -> None:
    one = notification_request(first(alert("a1")), T0)
    two = notification_request(first(alert("a1")), T0 + timedelta(seconds=30))
    assert (one.body, one.headers["Idempotency-Key"]) == (two.body, two.headers["Idempotency-Key"])


def test_without_a_secret_nothing_is_signed() -> None:
    headers = notification_request(first(alert(), subscription()), T0).headers
    assert "X-Newswatch-Signature" not in headers and "X-Newswatch-Timestamp" not in headers


def test_signature_pinned() -> None:
    assert (
        sign(b"{}", b"k", 1700000000)
        == "sha256=" + hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
    )


def test_email_highlights_title_by_offsets_and_escapes_the_article() -> None:
    title = "<script>x</script> Sanctions & more"
    evidence = [
        Evidence(term="sanctions", field="title", start=19, end=28, text="Sanctions", snippet=title),
        Evidence(
            term="embargo",
            field="body",
            start=6,
            end=13,
            text="embargo",
            snippet="an <b>embargo</b> on embargo goods",
        ),
    ]
    rendered = notification_email(first(alert(title=title, evidence=evidence)))
    assert rendered.subject == "[sanctions] <script>x</script> Sanctions & more (1 outlet)"
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;x&lt;/script&gt; <mark>Sanctions</mark> &amp; more" in rendered.html
    assert "&lt;b&gt;<mark>embargo</mark>&lt;/b&gt; on embargo goods" in rendered.html
    assert '<a href="https://news.example.org/a1">' in rendered.html
    assert "[[Sanctions]]" in rendered.text and "[[embargo]]</b> on embargo" in rendered.text


def test_snippet_span_takes_the_occurrence_nearest_the_offsets() -> None:
    near_start = Evidence(term="t", field="body", start=3, end=6, text="tax", snippet="a tax on tax")
    assert snippet_span(near_start) == (2, 5)
    later = Evidence(
        term="t", field="body", start=500, end=503, text="tax", snippet="… tax and so on then a tax there"
    )
    assert snippet_span(later) == (23, 26)


def test_a_javascript_url_is_not_a_link() -> None:
    hostile = alert().model_copy(update={"url": "javascript:alert(1)"})
    assert "href" not in notification_email(first(hostile)).html


def test_subjects_are_one_line() -> None:
    assert one_line("a\r\nBcc: x@example.org\tb") == "a Bcc: x@example.org b"


def test_spike_email() -> None:
    rendered = notification_email(first(spike()))
    assert rendered.subject.startswith("[sanctions] Spike: 12 new stories")


def test_digest_email_and_body_group_by_watchlist_and_story() -> None:
    desk = subscription(digest_seconds=3600, spikes=True)
    digester = Digester(JsonStore())
    for record in (
        alert("a1"),
        alert("k1", story_id="k1", watchlist="korean_peninsula", title="Talks"),
        spike(),
    ):
        for entry in route(record, [desk]).later:
            digester.add(entry, T0)
    (digest,) = digester.due([desk], T0 + timedelta(hours=1))
    rendered = digest_email(digest)
    assert (
        rendered.subject
        == "[desk] digest: 2 stories, 1 spikes (2026-03-01 10:00 UTC to 2026-03-01 11:00 UTC)"
    )
    assert rendered.text.index("== korean_peninsula ==") < rendered.text.index("== sanctions ==")
    body = json.loads(digest_request(digest, WEBHOOK, T0).body)
    assert body["digest"] == {
        "digest_id": digest.digest_id(WEBHOOK),
        "subscription": "desk",
        "period_start": "2026-03-01T10:00:00+00:00",
        "period_end": "2026-03-01T11:00:00+00:00",
        "stories": 2,
        "alerts": 2,
        "spikes": 1,
        "left_out": 0,
    }
    assert [(item["type"], item["watchlist"]) for item in body["items"]] == [
        ("story", "korean_peninsula"),
        ("story", "sanctions"),
        ("spike", "sanctions"),
    ]
    assert body["items"][1]["alerts"][0]["article_id"] == "a1"
    assert body["items"][1]["title"] == "Sanctions on Acme Shipping"
    assert body["items"][2]["spike"]["watchlist"] == "sanctions"


def test_a_hostile_article_gives_bounded_output() -> None:
    huge = "<b>x</b> " * (MIB // 9)
    evidence = [
        Evidence(term="x", field="body", start=n, end=n + 1, text="x" * MIB, snippet=huge)
        for n in range(1000)
    ]
    notification = first(alert(title=huge, source=huge, evidence=evidence))
    request = notification_request(notification, T0)
    rendered = notification_email(notification)
    assert len(request.body) < 10_000
    assert len(rendered.subject) <= 200
    assert len(rendered.text) < 10_000 and len(rendered.html) < 20_000
    assert "<b>" not in rendered.html
    desk = subscription(digest_seconds=3600)
    digester = Digester(JsonStore())
    for n in range(200):
        for entry in route(alert(f"a{n}", story_id=f"a{n}", title=huge, evidence=evidence), [desk]).later:
            digester.add(entry, T0)
    (digest,) = digester.due([desk], T0 + timedelta(hours=1))
    assert digest.left_out == 150
    assert len(digest_request(digest, WEBHOOK, T0).body) < 500_000
    assert len(digest_email(digest).html) < 1_000_000
