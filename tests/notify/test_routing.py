"""Which notifications a record makes, for story, article, min_score, spikes and digests."""

from __future__ import annotations

from newswatch.notify.routing import notification_id, route
from tests.notify.records import EMAIL, WEBHOOK, alert, copy_event, spike, subscription


def test_per_story_notifies_when_a_story_opens_and_folds_copies_in() -> None:
    desk = subscription()
    opened = route(alert("a1", story_id="a1"), [desk])
    assert [(n.subject, n.destination) for n in opened.now] == [("story", WEBHOOK), ("story", EMAIL)]
    assert route(alert("a2", story_id="a1"), [desk]).now == ()
    assert route(copy_event("a2"), [desk]).now == ()


def test_without_stories_every_alert_opens_its_own_story() -> None:
    assert len(route(alert("a2", story_id=None), [subscription()]).now) == 2


def test_per_article_notifies_every_alert() -> None:
    desk = subscription(per="article")
    for article_id in ("a1", "a2", "a3"):
        routed = route(alert(article_id, story_id="a1"), [desk])
        assert [n.subject for n in routed.now] == ["alert", "alert"]


def test_min_score_and_watchlists() -> None:
    picky = subscription(min_score=3.5)
    assert route(alert(score=3.0), [picky]).now == ()
    assert len(route(alert(score=3.5), [picky]).now) == 2
    korea = subscription(watchlists=("korean_peninsula",))
    assert route(alert(watchlist="sanctions"), [korea]).now == ()
    assert route(spike("sanctions"), [subscription(spikes=True, watchlists=("korean_peninsula",))]).now == ()


def test_spikes_only_for_subscriptions_that_ask() -> None:
    assert route(spike(), [subscription()]).now == ()
    routed = route(spike(), [subscription(spikes=True)])
    assert [n.subject for n in routed.now] == ["spike", "spike"]


def test_digest_subscriptions_get_entries_not_notifications() -> None:
    hourly = subscription(digest_seconds=3600)
    assert route(alert(), [hourly]).now == ()
    assert [e.subject for e in route(alert(), [hourly]).later] == ["story"]
    assert [e.subject for e in route(copy_event("a2"), [hourly]).later] == ["copy"]
    assert route(copy_event("a2"), [subscription(digest_seconds=3600, per="article")]).later == ()
    assert [e.subject for e in route(spike(), [subscription(digest_seconds=3600, spikes=True)]).later] == [
        "spike"
    ]


def test_ids_are_stable_and_differ_by_subscription_destination_and_subject() -> None:
    # Pinned: a change here changes every Idempotency-Key receivers have seen.
    assert notification_id("desk", WEBHOOK, "story/sanctions/a1") == "40e9705507c1dfee745b3426a1979f97"
    first = route(alert("a1"), [subscription()]).now
    again = route(alert("a1"), [subscription()]).now
    assert [n.notification_id for n in first] == [n.notification_id for n in again]
    assert first[0].notification_id == "40e9705507c1dfee745b3426a1979f97"
    ids = {
        n.notification_id
        for record in (alert("a1"), alert("a1", watchlist="korean_peninsula"), spike())
        for desk in (subscription("desk", spikes=True), subscription("other", spikes=True))
        for n in route(record, [desk]).now
    }
    assert len(ids) == 3 * 2 * 2
