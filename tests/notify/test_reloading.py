"""SIGHUP reload of the subscriptions: a valid file replaces them whole, an invalid one
leaves them in use and logs every problem as file:line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from newswatch.metrics import NotifyMetrics
from newswatch.notify.reloading import SubscriptionsSlot, channels_of
from newswatch.notify.subscriptions import Subscription, load_subscriptions

GOOD = "subscriptions:\n  - {name: desk, watchlists: sanctions, to: [mailto:a@example.org]}\n"
BETTER = GOOD + "  - {name: bot, to: ['https://bot.example.org/hook?token=TOPSECRET']}\n"
BROKEN = (
    GOOD + "  - {name: bot, watchlists: sanction, to: ['https://bot.example.org/hook?token=TOPSECRET']}\n"
)


def slot_for(path: Path) -> tuple[SubscriptionsSlot, CollectorRegistry]:
    def load() -> list[Subscription]:
        return load_subscriptions(path, environ={}, known_watchlists=["sanctions", "arms_transfers"])

    registry = CollectorRegistry()
    subscriptions = load()
    return SubscriptionsSlot(
        subscriptions, load, NotifyMetrics(registry, channels_of(subscriptions))
    ), registry


async def test_a_valid_file_replaces_the_subscriptions_and_starts_their_series(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.yaml"
    path.write_text(GOOD)
    slot, registry = slot_for(path)
    path.write_text(BETTER)

    assert await slot.reload()
    assert [s.name for s in slot.current] == ["desk", "bot"]
    assert registry.get_sample_value("newswatch_subscription_reloads_total", {"result": "ok"}) == 1
    labels = {"subscription": "bot", "channel": "webhook"}
    assert registry.get_sample_value("newswatch_notifications_sent_total", labels) == 0


async def test_an_invalid_file_keeps_the_running_ones_and_logs_file_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "subscriptions.yaml"
    path.write_text(GOOD)
    slot, registry = slot_for(path)
    before = slot.current
    path.write_text(BROKEN)

    with caplog.at_level(logging.ERROR):
        assert not await slot.reload()
    assert slot.current is before
    assert f"{path}:3: there is no watch-list 'sanction'" in caplog.text
    assert "the running ones stay in use" in caplog.text
    assert "TOPSECRET" not in caplog.text
    assert registry.get_sample_value("newswatch_subscription_reloads_total", {"result": "failed"}) == 1
