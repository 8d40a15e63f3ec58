"""All of newswatch's own Prometheus metrics, in one object built on an injected registry.

Tests build it on a fresh `CollectorRegistry`; the worker builds it on the registry its
`/metrics` endpoint serves, next to Faust's own sensor metrics.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from newswatch.contracts import DeadLetterReason

# Tagging one article takes tens of microseconds to a few milliseconds.
_TAGGING_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
# Produce-to-alert latency: milliseconds when healthy, seconds or minutes when lagging.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class TaggerMetrics:
    def __init__(self, registry: CollectorRegistry, watchlists: Iterable[str]) -> None:
        self.articles_consumed = Counter(
            "newswatch_articles_consumed",
            "Records from the articles topic fully handled (alerted, not matched, or dead-lettered).",
            registry=registry,
        )
        self.alerts_emitted = Counter(
            "newswatch_alerts_emitted",
            "Alerts sent to the alerts topic (with stories on: handed to the stories stage, "
            "which sends each with its story id), by watch-list.",
            ["watchlist"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "newswatch_dead_letters",
            "Records sent to the dead-letter topic, by reason.",
            ["reason"],
            registry=registry,
        )
        self.tagging_seconds = Histogram(
            "newswatch_tagging_seconds",
            "Time to decode, validate and match one article.",
            buckets=_TAGGING_BUCKETS,
            registry=registry,
        )
        self.end_to_end_latency_seconds = Histogram(
            "newswatch_end_to_end_latency_seconds",
            "From the article's Kafka timestamp to its alert being acknowledged by the broker.",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "newswatch_consumer_lag_records",
            "Records on the articles topic not yet processed, per partition.",
            ["topic", "partition"],
            registry=registry,
        )
        self.watchlist_reloads = Counter(
            "newswatch_watchlist_reloads",
            "Watch-list reloads asked for with SIGHUP, by result (ok, or failed: the old lists stay).",
            ["result"],
            registry=registry,
        )
        self.watchlists_loaded = Gauge(
            "newswatch_watchlists_loaded_timestamp_seconds",
            "When the watch-lists in force last changed (Unix time): at start, on a SIGHUP reload, "
            "or when a record of the watch-lists topic was applied.",
            registry=registry,
        )
        self.watchlists_in_force = Gauge(
            "newswatch_watchlists_in_force",
            "Watch-lists the worker tags with: the files' lists overlaid by the watch-lists topic's.",
            registry=registry,
        )
        self.watchlist_in_force = Gauge(
            "newswatch_watchlist_in_force_info",
            "1 for each watch-list in force, with its version, content hash (the first 12 hex "
            "digits of the SHA-256 of its YAML) and origin (file or topic).",
            ["watchlist", "version", "sha256", "origin"],
            registry=registry,
        )
        self.watchlist_topic_records = Counter(
            "newswatch_watchlist_topic_records",
            "Records read from the watch-lists topic, by result: applied (in force), invalid (not a "
            "usable watch-list or removal: logged with its key, nothing changed) or refused (the "
            "lists in force would not compile with it: the old ones stay).",
            ["result"],
            registry=registry,
        )
        self.stories_opened = Counter(
            "newswatch_stories_opened",
            "Alerts that opened a new story, by watch-list.",
            ["watchlist"],
            registry=registry,
        )
        self.story_copies = Counter(
            "newswatch_story_copies",
            "Alerts folded into an existing story as copies, by watch-list.",
            ["watchlist"],
            registry=registry,
        )
        self.spikes = Counter(
            "newswatch_spikes",
            "Spikes raised (a watch-list's new stories far above its baseline), by watch-list.",
            ["watchlist"],
            registry=registry,
        )
        # Start every labelled series at zero so dashboards and rate() see them from the start.
        self.declare_watchlists(watchlists)
        for reason in get_args(DeadLetterReason):
            self.dead_letters.labels(reason=reason)
        for result in ("ok", "failed"):
            self.watchlist_reloads.labels(result=result)
        for result in ("applied", "invalid", "refused"):
            self.watchlist_topic_records.labels(result=result)

    def declare_watchlists(self, watchlists: Iterable[str]) -> None:
        """Start the per-watch-list series at zero (at start, and for a list added later)."""
        for name in watchlists:
            for counter in (self.alerts_emitted, self.stories_opened, self.story_copies, self.spikes):
                counter.labels(watchlist=name)

    def show_in_force(self, lists: Iterable[tuple[str, str, str, str]]) -> None:
        """The lists in force now, as (name, version, sha256, origin): the old series go."""
        shown = list(lists)
        self.watchlist_in_force.clear()
        for name, version, sha256, origin in shown:
            self.watchlist_in_force.labels(
                watchlist=name, version=version, sha256=sha256[:12], origin=origin
            ).set(1)
        self.watchlists_in_force.set(len(shown))
        self.declare_watchlists(name for name, *_ in shown)
        self.watchlists_loaded.set_to_current_time()


class NotifyMetrics:
    """The notifier's metrics (`newswatch notify`), by subscription and channel."""

    def __init__(
        self, registry: CollectorRegistry, subscriptions: Iterable[tuple[str, Iterable[str]]]
    ) -> None:
        labels = ["subscription", "channel"]
        self.sent = Counter(
            "newswatch_notifications_sent",
            "Notifications a destination accepted.",
            labels,
            registry=registry,
        )
        self.failed = Counter(
            "newswatch_notifications_failed",
            "Delivery attempts that failed (each retry counts), whether later delivered or not.",
            labels,
            registry=registry,
        )
        self.dead_lettered = Counter(
            "newswatch_notifications_dead_lettered",
            "Notifications sent to the notifications dead-letter topic: refused, or retries exhausted.",
            labels,
            registry=registry,
        )
        self.skipped_repeats = Counter(
            "newswatch_notifications_skipped_repeats",
            "Notifications not sent because their id was already sent (a record read again).",
            registry=registry,
        )
        self.invalid_records = Counter(
            "newswatch_notify_invalid_records",
            "Records the notifier could not read as an alert, story event or spike, by topic.",
            ["topic"],
            registry=registry,
        )
        self.delivery_seconds = Histogram(
            "newswatch_notification_delivery_seconds",
            "From the record's Kafka timestamp (the alert or spike published) to its delivery.",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.digest_entries = Histogram(
            "newswatch_notification_digest_entries",
            "Entries in each digest delivered (alerts, spikes, and those left out), by subscription.",
            ["subscription"],
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
            registry=registry,
        )
        self.subscription_reloads = Counter(
            "newswatch_subscription_reloads",
            "Subscription reloads asked for with SIGHUP, by result (ok, or failed: the old ones stay).",
            ["result"],
            registry=registry,
        )
        self.subscriptions_loaded = Gauge(
            "newswatch_subscriptions_loaded_timestamp_seconds",
            "When the subscriptions in use were loaded (Unix time).",
            registry=registry,
        )
        for result in ("ok", "failed"):
            self.subscription_reloads.labels(result=result)
        self.declare(subscriptions)

    def declare(self, subscriptions: Iterable[tuple[str, Iterable[str]]]) -> None:
        """Start the series of these subscriptions and channels at zero (at start and reload)."""
        for name, channels in subscriptions:
            for channel in channels:
                for counter in (self.sent, self.failed, self.dead_lettered):
                    counter.labels(subscription=name, channel=channel)
