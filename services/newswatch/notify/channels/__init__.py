"""Delivery channels of `newswatch notify`: webhook (aiohttp), email (SMTP), chat (apprise).

A channel takes a message already rendered for one destination (`messages`) and makes one
attempt (`async deliver(message) -> DeliveryResult`: ok, retryable or permanent, with a
reason); `retry` retries a destination with exponential backoff and jitter for a bounded
time; `dispatch.Channels` puts them together for the service, one task per destination.
"""

from newswatch.notify.channels.dispatch import Channels
from newswatch.notify.channels.messages import ChatMessage, EmailMessage, Message, WebhookMessage
from newswatch.notify.channels.result import Delivery, DeliveryResult, Final, Outcome
from newswatch.notify.channels.retry import RetryPolicy

__all__ = [
    "Channels",
    "ChatMessage",
    "Delivery",
    "DeliveryResult",
    "EmailMessage",
    "Final",
    "Message",
    "Outcome",
    "RetryPolicy",
    "WebhookMessage",
]
