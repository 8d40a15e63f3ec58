"""The subscriptions a notifier works with: NEWSWATCH_SUBSCRIPTIONS read and checked.

One function for every place that reads them (`newswatch notify run` at start and on
SIGHUP, `newswatch notify --print`, `newswatch run`), so that they refuse the same files
with the same `file:line: message` lines as `newswatch notify check`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from newswatch.errors import ConfigurationError
from newswatch.notify.subscriptions import Subscription, load_subscriptions
from newswatch.settings import Settings
from newswatch.watchlists.rules.loader import configured_watchlist_paths, load_watchlists


def subscriptions_path(settings: Settings) -> Path:
    if settings.subscriptions is None:
        raise ConfigurationError("set NEWSWATCH_SUBSCRIPTIONS to the subscriptions file (docs/notify.md)")
    return settings.subscriptions


def known_watchlists(settings: Settings) -> list[str]:
    """The names a subscription may follow: the watch-lists the worker loads."""
    return [watchlist.name for watchlist in load_watchlists(configured_watchlist_paths(settings.watchlists))]


def configured_subscriptions(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> list[Subscription]:
    """The subscriptions of NEWSWATCH_SUBSCRIPTIONS; raises SubscriptionsInvalid with every
    problem as `file:line: message` (secrets named by `secret_env` come from `environ`)."""
    path = subscriptions_path(settings)
    subscriptions = load_subscriptions(
        path,
        environ=os.environ if environ is None else environ,
        known_watchlists=known_watchlists(settings),
        min_digest_seconds=settings.notify_digest_min_seconds,
    )
    return subscriptions
