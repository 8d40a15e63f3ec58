"""`newswatch notify run`: load the subscriptions, make sure the topics exist, run the notifier."""

from __future__ import annotations

import asyncio
import signal
from typing import NoReturn

from prometheus_client import CollectorRegistry

from newswatch.kafka.admin import ensure_topics, wait_for_broker
from newswatch.kafka.connection import KafkaConnection
from newswatch.metrics import NotifyMetrics
from newswatch.notify.channels import Channels
from newswatch.notify.loading import configured_subscriptions
from newswatch.notify.reloading import SubscriptionsSlot, channels_of
from newswatch.notify.service import Notifier
from newswatch.settings import Settings
from newswatch.tagger.worker import faust_worker


def run_notifier(settings: Settings) -> NoReturn:
    # Invalid: SubscriptionsInvalid, every problem as file:line (printed by the CLI, exit 1).
    subscriptions = configured_subscriptions(settings)
    connection = KafkaConnection.from_settings(settings)
    asyncio.run(_prepare_topics(connection, settings))
    registry = CollectorRegistry()
    metrics = NotifyMetrics(registry, channels_of(subscriptions))
    slot = SubscriptionsSlot(subscriptions, lambda: configured_subscriptions(settings), metrics)
    channels = Channels.from_settings(settings)
    notifier = Notifier(settings, connection, slot, channels, metrics=metrics, registry=registry)

    @notifier.app.on_before_shutdown.connect
    async def _close_channels(app: object, /, *args: object, signal: object, **kwargs: object) -> None:
        await channels.close()

    worker = faust_worker(notifier.app, settings.log_level)
    # SIGHUP's default action ends the process; installed before the worker starts (and so
    # before /healthz answers), it reloads the subscriptions instead (notify/reloading.py).
    worker.loop.add_signal_handler(signal.SIGHUP, slot.reload_soon)
    print(
        f"newswatch notify: {settings.alerts_topic}, {settings.stories_topic}, {settings.spikes_topic} -> "
        f"{len(subscriptions)} subscription(s) (dead letters: {settings.notifications_dlq_topic}), "
        f"group {settings.notify_app_id}; "
        f"metrics on http://{settings.metrics_host}:{settings.notify_metrics_port}/metrics",
        flush=True,
    )
    worker.execute_from_commandline()  # exits the process when the worker stops


async def _prepare_topics(connection: KafkaConnection, settings: Settings) -> None:
    await wait_for_broker(connection, 30.0)
    # The sent table's changelog is created compacted (its name ends in -changelog), with
    # as many partitions as the topics read: a table write goes to the event's partition.
    await ensure_topics(
        connection, settings.notify_topics, settings.topic_partitions, settings.topic_replication_factor
    )
