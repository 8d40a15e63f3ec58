"""The message each destination gets: a notification or a digest rendered for its channel.

This is what the notifier service calls between routing and the channels: one
`channels.messages` message per destination, built by the renderers. A webhook's
timestamp (and so its signature) is taken at `now`; everything else is the same each
time the same notification or digest is rendered again.
"""

from __future__ import annotations

from datetime import datetime

from newswatch.notify.channels.messages import ChatMessage, EmailMessage, Message, WebhookMessage
from newswatch.notify.digest import Digest
from newswatch.notify.render import digest_request, notification_request
from newswatch.notify.render_email import (
    Rendered,
    chat_message,
    digest_chat,
    digest_email,
    notification_email,
)
from newswatch.notify.routing import Notification
from newswatch.notify.subscriptions import Destination


def notification_message(notification: Notification, now: datetime) -> Message:
    destination = notification.destination
    if destination.channel == "webhook":
        request = notification_request(notification, now)
        return WebhookMessage(destination.url, request.body, request.headers)
    return _readable(destination, notification.notification_id, notification_email(notification))


def digest_messages(digest: Digest, now: datetime) -> list[tuple[Destination, Message]]:
    """One message per destination of the digest's subscription, each with its own id."""
    messages: list[tuple[Destination, Message]] = []
    rendered: Rendered | None = None
    for destination in digest.subscription.to:
        if destination.channel == "webhook":
            request = digest_request(digest, destination, now)
            messages.append((destination, WebhookMessage(destination.url, request.body, request.headers)))
            continue
        if destination.channel == "apprise":
            title, body = digest_chat(digest)
            messages.append((destination, ChatMessage(destination.url, title, body)))
            continue
        rendered = rendered or digest_email(digest)
        messages.append((destination, _readable(destination, digest.digest_id(destination), rendered)))
    return messages


def _readable(destination: Destination, message_id: str, rendered: Rendered) -> Message:
    if destination.channel == "email":
        address = destination.url.removeprefix("mailto:")
        return EmailMessage(message_id, address, rendered.subject, rendered.text, rendered.html)
    title, body = chat_message(rendered)
    return ChatMessage(destination.url, title, body)
