"""Alerts, story events, spikes and subscriptions written by the notify tests."""

from __future__ import annotations

from datetime import UTC, datetime

from newswatch.contracts import Alert, Evidence, SpikeEvent, StoryEvent, StoryRef, alert_id_for
from newswatch.notify.subscriptions import Destination, Subscription

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
WEBHOOK = Destination("https://hooks.example.org/newswatch", "webhook")
EMAIL = Destination("mailto:desk@example.org", "email")


def alert(
    article_id: str = "a1",
    *,
    story_id: str | None = "a1",
    watchlist: str = "sanctions",
    score: float = 3.0,
    title: str = "Sanctions on Acme Shipping",
    source: str | None = "Wire One",
    evidence: list[Evidence] | None = None,
) -> Alert:
    return Alert(
        alert_id=alert_id_for(article_id, watchlist),
        article_id=article_id,
        watchlist=watchlist,
        score=score,
        evidence=evidence
        or [Evidence(term="sanctions", field="title", start=0, end=9, text="Sanctions", snippet=title)],
        title=title,
        language="en",
        url=f"https://news.example.org/{article_id}",
        source=source,
        published_at=T0,
        tagged_at=T0,
        story_id=story_id,
    )


def copy_event(article_id: str, story_id: str = "a1", size: int = 2, source: str = "Wire Two") -> StoryEvent:
    return StoryEvent(
        story_id=story_id,
        article_id=article_id,
        watchlist="sanctions",
        kind="copy",
        size=size,
        first_article_id=story_id,
        first_title="Sanctions on Acme Shipping",
        first_seen_at=T0,
        event_time=T0,
        title="Sanctions on Acme Shipping (copy)",
        source=source,
        url=None,
    )


def spike(watchlist: str = "sanctions") -> SpikeEvent:
    return SpikeEvent(
        spike_id=f"spike-{watchlist}",
        watchlist=watchlist,
        window_start=T0,
        window_end=T0.replace(hour=11),
        count=12,
        baseline=1.5,
        stories=[StoryRef(story_id="a1", title="Sanctions on Acme Shipping")],
        raised_at=T0,
    )


def subscription(name: str = "desk", **changes: object) -> Subscription:
    fields: dict[str, object] = {"name": name, "to": (WEBHOOK, EMAIL), **changes}
    return Subscription(**fields)  # type: ignore[arg-type]
