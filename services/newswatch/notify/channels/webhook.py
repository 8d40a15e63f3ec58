"""Webhook delivery: one JSON POST per message, with aiohttp.

2xx is delivered; 408, 429, 5xx, connection errors and timeouts are worth retrying;
any other status (a 4xx, a redirect) will not change by itself and is permanent.
Redirects are not followed: a POST that a receiver moves elsewhere is a configuration
to fix, not something to replay to an address the subscription did not name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import aiohttp

from newswatch.notify.channels.messages import WebhookMessage
from newswatch.notify.channels.result import DeliveryResult
from newswatch.settings import Settings

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})
# Connections per receiver: a hanging receiver holds only its own, never another's.
CONNECTIONS_PER_HOST = 10
USER_AGENT = "newswatch-notify"


class WebhookChannel:
    """POSTs `WebhookMessage`s; one aiohttp session, opened on first use, closed by `close()`."""

    def __init__(self, timeout_seconds: float) -> None:
        self.timeout_seconds = timeout_seconds
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookChannel:
        return cls(settings.webhook_timeout_seconds)

    async def deliver(self, message: WebhookMessage) -> DeliveryResult:
        headers = {**message.headers, "Content-Type": "application/json"}
        headers.setdefault("User-Agent", USER_AGENT)
        try:
            async with self._client().post(
                message.url, data=message.body, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError):
            # The exception's text is the URL itself, token and all: only say what it is.
            return DeliveryResult.permanent("not an http(s) URL")
        except aiohttp.ClientConnectorCertificateError:
            return DeliveryResult.permanent("the receiver's TLS certificate could not be verified")
        except TimeoutError:
            return DeliveryResult.retryable(f"no response within {self.timeout_seconds:g} s")
        except aiohttp.ClientError as exc:
            return DeliveryResult.retryable(f"connection failed ({type(exc).__name__})")
        return classify(status, retry_after)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_seconds),
                connector=aiohttp.TCPConnector(limit=0, limit_per_host=CONNECTIONS_PER_HOST),
            )
        return self._session


def classify(status: int, retry_after: str | None = None, now: datetime | None = None) -> DeliveryResult:
    """What a response status means for the notification."""
    if 200 <= status < 300:
        return DeliveryResult.ok()
    reason = f"HTTP {status}"
    if status in RETRYABLE_STATUSES or status >= 500:
        wait = parse_retry_after(retry_after, now) if status in RETRY_AFTER_STATUSES else None
        return DeliveryResult.retryable(reason, retry_after=wait)
    if 300 <= status < 400:
        return DeliveryResult.permanent(f"{reason}: redirected; subscribe the final URL")
    return DeliveryResult.permanent(reason)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delay-seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
