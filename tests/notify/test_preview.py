"""`newswatch notify --print`: the line each notification would be, each id once, and the
lines of a digest when its period ends (or, with --once, when the topics are read)."""

from __future__ import annotations

import json
from datetime import timedelta

from newswatch.notify.digest import Digester
from newswatch.notify.preview import due_previews, previews
from newswatch.notify.sent import SentLedger
from newswatch.notify.subscriptions import Destination
from tests.notify.records import EMAIL, T0, alert, copy_event, subscription

TOKEN_HOOK = Destination("https://hooks.example.org/newswatch?token=TOPSECRET", "webhook")


def test_a_story_prints_one_line_per_destination_with_the_webhook_body() -> None:
    lines = previews(alert(), [subscription(to=(TOKEN_HOOK, EMAIL))], SentLedger({}, 24), Digester({}))

    webhook, email = lines
    assert (webhook["subscription"], webhook["channel"], webhook["event"]) == ("desk", "webhook", "story")
    assert webhook["destination"] == "https://hooks.example.org/newswatch?token=****"
    assert webhook["body"]["article_id"] == "a1" and webhook["body"]["evidence"][0]["term"] == "sanctions"
    assert "subject" not in webhook
    assert (email["channel"], email["destination"]) == ("email", "mailto:desk@example.org")
    assert email["subject"] == "[sanctions] Sanctions on Acme Shipping (1 outlet)"
    assert webhook["notification_id"] != email["notification_id"]
    assert "TOPSECRET" not in json.dumps(lines)


def test_a_record_read_again_prints_nothing_more_and_copies_print_nothing() -> None:
    ledger = SentLedger({}, 24)
    subscriptions = [subscription()]
    assert len(previews(alert(), subscriptions, ledger, Digester({}))) == 2
    assert previews(alert(), subscriptions, ledger, Digester({})) == []
    assert previews(copy_event("a2"), subscriptions, ledger, Digester({})) == []


def test_a_digest_subscription_prints_its_batch_when_the_period_ends_and_not_before() -> None:
    hourly = subscription(digest_seconds=3600, to=(TOKEN_HOOK, EMAIL))
    digester = Digester({})
    for record in (alert("a1", story_id="a1"), alert("b1", story_id="b1")):
        assert previews(record, [hourly], SentLedger({}, 24), digester) == [], "nothing at once"
    # The entries went in at the wall clock; the period they fell in ends within the hour.
    assert due_previews(digester, [hourly], T0.replace(year=2000), complete=True) == []
    webhook, email = due_previews(digester, [hourly], T0.replace(year=2100), complete=False)
    assert (webhook["event"], webhook["complete"], webhook["channel"]) == ("digest", False, "webhook")
    assert [item["story_id"] for item in webhook["body"]["items"]] == ["a1", "b1"]
    assert webhook["notification_id"] == webhook["body"]["digest"]["digest_id"]
    assert email["subject"].startswith("[desk] digest: 2 stories")
    assert "TOPSECRET" not in json.dumps([webhook, email])
    assert due_previews(digester, [hourly], T0.replace(year=2100) + timedelta(hours=1), complete=True) == []
