"""`newswatch notify --print`: the line each notification would be, and each id once."""

from __future__ import annotations

import json

from newswatch.notify.preview import previews
from newswatch.notify.sent import SentLedger
from newswatch.notify.subscriptions import Destination
from tests.notify.records import EMAIL, alert, copy_event, subscription

TOKEN_HOOK = Destination("https://hooks.example.org/newswatch?token=TOPSECRET", "webhook")


def test_a_story_prints_one_line_per_destination_with_the_webhook_body() -> None:
    lines = previews(alert(), [subscription(to=(TOKEN_HOOK, EMAIL))], SentLedger({}, 24))

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
    assert len(previews(alert(), subscriptions, ledger)) == 2
    assert previews(alert(), subscriptions, ledger) == []
    assert previews(copy_event("a2"), subscriptions, ledger) == []
