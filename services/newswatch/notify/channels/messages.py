"""What a channel delivers: a message already rendered for one destination.

The renderer (`notify/render*.py`) builds these from a notification and a subscription;
a channel only carries them. They are deliberately minimal: bytes and strings ready to
send, nothing a channel would have to interpret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WebhookMessage:
    """A JSON POST: `body` is sent as is, with `Content-Type: application/json` and `headers`
    (the renderer puts `Idempotency-Key` and, with a secret, the signature there)."""

    # Out of the repr: a URL may carry a token, the headers carry the signature.
    url: str = field(repr=False)
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class EmailMessage:
    """One email, sent as multipart/alternative (text, then HTML) from NEWSWATCH_SMTP_FROM.

    `notification_id` becomes the Message-ID, the same each time the notification is sent
    again, so a receiver can drop a repeated copy.
    """

    notification_id: str
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class ChatMessage:
    """A notification to an apprise URL (Slack, Teams, Telegram, ntfy, Discord, ...)."""

    url: str = field(repr=False)  # an apprise URL holds the service's token
    title: str
    body: str


Message = WebhookMessage | EmailMessage | ChatMessage
