"""One channel message per destination, from a notification or a digest."""

from __future__ import annotations

from datetime import timedelta

from newswatch.notify.channels.messages import ChatMessage, EmailMessage, WebhookMessage
from newswatch.notify.digest import Digester
from newswatch.notify.outgoing import digest_messages, notification_message
from newswatch.notify.routing import route
from newswatch.notify.subscriptions import Destination
from tests.helpers.stores import JsonStore
from tests.notify.records import EMAIL, T0, WEBHOOK, alert, subscription

CHAT = Destination("ntfy://ntfy.example.org/desk-topic", "apprise")


def test_a_notification_becomes_each_channels_message() -> None:
    desk = subscription(to=(WEBHOOK, EMAIL, CHAT))
    webhook, email, chat = (notification_message(n, T0) for n in route(alert(), [desk]).now)
    assert isinstance(webhook, WebhookMessage) and webhook.url == WEBHOOK.url
    assert isinstance(email, EmailMessage) and email.to == "desk@example.org"
    assert email.notification_id == route(alert(), [desk]).now[1].notification_id
    assert isinstance(chat, ChatMessage) and chat.title == email.subject


def test_a_digest_has_one_id_per_destination() -> None:
    desk = subscription(to=(WEBHOOK, EMAIL), digest_seconds=3600)
    digester = Digester(JsonStore())
    for entry in route(alert(), [desk]).later:
        digester.add(entry, T0)
    (digest,) = digester.due([desk], T0 + timedelta(hours=1))
    (_, webhook), (_, email) = digest_messages(digest, T0)
    assert isinstance(webhook, WebhookMessage) and isinstance(email, EmailMessage)
    assert webhook.headers["Idempotency-Key"] == digest.digest_id(WEBHOOK) != email.notification_id
    assert email.notification_id == digest.digest_id(EMAIL)


def test_a_chat_digest_is_a_summary_line_per_story() -> None:
    desk = subscription(to=(CHAT,), digest_seconds=3600)
    digester = Digester(JsonStore())
    for record in (alert("a1"), alert("b1", story_id="b1", title="Asset freeze on Beta Lines")):
        for entry in route(record, [desk]).later:
            digester.add(entry, T0)
    (digest,) = digester.due([desk], T0 + timedelta(hours=1))
    ((_, chat),) = digest_messages(digest, T0)
    assert isinstance(chat, ChatMessage) and chat.title.startswith("[desk] digest: 2 stories")
    assert chat.body.splitlines() == [
        "sanctions: 2 stories, 0 spikes",
        "- Sanctions on Acme Shipping (1 articles, 1 outlet)",
        "- Asset freeze on Beta Lines (1 articles, 1 outlet)",
    ]
