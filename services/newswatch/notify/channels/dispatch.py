"""The channels together: what the notifier service calls to deliver rendered messages.

    async with Channels.from_settings(settings) as channels:
        deliveries = await channels.deliver_all(messages)   # one task per destination

Each destination runs in its own task with its own retries, so a slow or failing one
never holds up another: the service hands every message of a record (or a digest) to
`deliver_all`, or starts `deliver` per destination itself, and dead-letters each
`Delivery` that is not `delivered` to news.notifications.dlq with its `reason`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Sequence
from types import TracebackType

from newswatch.notify.channels.chat import ChatChannel
from newswatch.notify.channels.email import EmailChannel, SmtpConnection
from newswatch.notify.channels.messages import ChatMessage, EmailMessage, Message, WebhookMessage
from newswatch.notify.channels.result import Delivery, DeliveryResult
from newswatch.notify.channels.retry import Clock, Jitter, RetryPolicy, Sleep, deliver_with_retries
from newswatch.notify.channels.webhook import WebhookChannel
from newswatch.notify.masking import mask_url
from newswatch.settings import Settings

logger = logging.getLogger(__name__)


class Channels:
    """The three channels and the retry policy; `close()` (or `async with`) releases them."""

    def __init__(
        self,
        webhook: WebhookChannel,
        chat: ChatChannel,
        email: EmailChannel | None,
        policy: RetryPolicy,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        jitter: Jitter = random.random,
    ) -> None:
        self.webhook = webhook
        self.chat = chat
        self.email = email
        self.policy = policy
        # Passed to every retry loop; tests pass fakes to run the schedule without sleeping.
        self._clock, self._sleep, self._jitter = clock, sleep, jitter

    @classmethod
    def from_settings(cls, settings: Settings) -> Channels:
        connection = SmtpConnection.from_settings(settings)
        return cls(
            webhook=WebhookChannel.from_settings(settings),
            chat=ChatChannel.from_settings(settings),
            email=EmailChannel(connection) if connection is not None else None,
            policy=RetryPolicy.from_settings(settings),
        )

    async def attempt(self, message: Message) -> DeliveryResult:
        """One attempt on the message's channel; a bug in a channel is a permanent failure."""
        try:
            if isinstance(message, WebhookMessage):
                return await self.webhook.deliver(message)
            if isinstance(message, ChatMessage):
                return await self.chat.deliver(message)
            if self.email is None:
                return DeliveryResult.permanent("email is not configured: set NEWSWATCH_SMTP_HOST")
            return await self.email.deliver(message)
        except Exception as exc:  # noqa: BLE001 - one bad message must not take down the others' task
            # The type and place only: an exception's text may quote a URL and its token.
            place = _innermost_frame(exc)
            logger.error(
                "delivery to %s failed unexpectedly: %s at %s", describe(message), type(exc).__name__, place
            )
            return DeliveryResult.permanent(f"unexpected {type(exc).__name__} at {place}")

    async def deliver(self, message: Message) -> Delivery:
        """Deliver one message, retrying within the policy's budget."""
        return await deliver_with_retries(
            lambda: self.attempt(message),
            self.policy,
            destination=describe(message),
            clock=self._clock,
            sleep=self._sleep,
            jitter=self._jitter,
        )

    async def deliver_all(self, messages: Sequence[Message]) -> list[Delivery]:
        """Deliver each message in its own task; results in the order of `messages`."""
        return list(await asyncio.gather(*(self.deliver(message) for message in messages)))

    async def close(self) -> None:
        await self.webhook.close()
        await self.chat.close()
        if self.email is not None:
            await self.email.close()

    async def __aenter__(self) -> Channels:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def describe(message: Message) -> str:
    """The destination as it may be logged: its secret parts masked (`notify.masking`)."""
    if isinstance(message, EmailMessage):
        return mask_url(f"mailto:{message.to}")
    return mask_url(message.url)


def _innermost_frame(exc: BaseException) -> str:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    return f"{tb.tb_frame.f_code.co_filename.rpartition('/')[2]}:{tb.tb_lineno}"
