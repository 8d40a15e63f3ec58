"""Chat delivery (Slack, Teams, Telegram, ntfy, Discord, ...) through apprise URLs.

One kept library instead of one client per service: the destination is any URL apprise
knows (its documentation lists them by service). Apprise is blocking, so each message is
sent in the channel's own threads under NEWSWATCH_CHAT_TIMEOUT_SECONDS. Apprise only says
whether it worked, not why; any failure is taken as worth retrying, except a URL apprise
cannot use at all, which is permanent.
"""

from __future__ import annotations

import re

import apprise

from newswatch.notify.channels.library_logs import REDACT, quiet_library_logs
from newswatch.notify.channels.messages import ChatMessage
from newswatch.notify.channels.result import DeliveryResult
from newswatch.notify.channels.threads import ThreadRunner
from newswatch.settings import Settings

_SCHEME = re.compile(r"([a-z][a-z0-9+.-]{0,19})://", re.IGNORECASE)
# Past apprise's own limit, how long to wait for its thread to hand the result back.
_GRACE_SECONDS = 1.0


class ChatChannel:
    def __init__(self, timeout_seconds: float, threads: ThreadRunner | None = None) -> None:
        self.timeout_seconds = timeout_seconds
        self._threads = threads or ThreadRunner("chat")
        # Memory only: apprise keeps no state on disk, reads no APPRISE_TEMPLATE_* variables.
        self._asset = apprise.AppriseAsset(
            storage_mode="memory",
            service_timeout=timeout_seconds,
            allow_templates=False,
            secure_logging=True,
        )
        quiet_library_logs()

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatChannel:
        return cls(settings.chat_timeout_seconds)

    async def deliver(self, message: ChatMessage) -> DeliveryResult:
        try:
            return await self._threads.run(lambda: self._send(message), self.timeout_seconds + _GRACE_SECONDS)
        except TimeoutError:
            return DeliveryResult.retryable(f"no answer within {self.timeout_seconds:g} s")

    async def close(self) -> None:
        self._threads.close()

    def _send(self, message: ChatMessage) -> DeliveryResult:
        """Blocking: parse the URL and notify, with the URL's pieces kept out of every log line."""
        scheme = url_scheme(message.url)
        with REDACT.hiding(message.url):
            sender = apprise.Apprise(asset=self._asset)
            if not sender.add(message.url):
                return DeliveryResult.permanent(
                    f"not a URL apprise can send to ({scheme}://...); see apprise's list of services"
                )
            result = sender.notify(body=message.body, title=message.title, timeout=self.timeout_seconds)
        if result.status == apprise.AppriseResultStatus.SUCCESS:
            return DeliveryResult.ok()
        if result.status == apprise.AppriseResultStatus.TIMEOUT:
            return DeliveryResult.retryable(f"no answer within {self.timeout_seconds:g} s")
        return DeliveryResult.retryable(
            f"the {scheme} service did not accept it (apprise: {result.status.name})"
        )


def url_scheme(url: str) -> str:
    """The scheme of an apprise URL (its service), or `?`: never anything after `://`."""
    found = _SCHEME.match(url)
    return found.group(1).lower() if found else "?"
