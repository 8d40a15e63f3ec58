"""The notifier's pure steps: read a record, leave out what was sent, describe a dead letter
(of one notification or of a digest)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newswatch.contracts import Alert, NotificationDeadLetter
from newswatch.notify.channels.result import Delivery, DeliveryResult, Final
from newswatch.notify.digest import Digester
from newswatch.notify.records import Unreadable, dead_letter, digest_dead_letter, pending, read_record
from newswatch.notify.routing import route
from newswatch.notify.sent import SentLedger
from newswatch.notify.subscriptions import Destination
from newswatch.stories.store import TableStore
from newswatch.tagger.records import RecordOrigin
from tests.helpers.stores import JsonStore
from tests.notify.records import T0, alert, subscription

NOW = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)


def test_read_record_refuses_what_is_not_the_topics_contract() -> None:
    record = alert("a1")
    assert read_record(Alert, record.model_dump_json().encode()) == record
    with pytest.raises(Unreadable, match="not a valid Alert"):
        read_record(Alert, b'{"alert_id": 1}')
    with pytest.raises(Unreadable):
        read_record(Alert, None)


def test_pending_leaves_out_ids_already_sent() -> None:
    ledger = SentLedger(TableStore({}), window_hours=1)
    first = pending(alert("a1", story_id="a1"), [subscription()], ledger)
    assert len(first.notifications) == 2 and first.already_sent == 0
    ledger.record(first.notifications[0].notification_id, 0, NOW)
    again = pending(alert("a1", story_id="a1"), [subscription()], ledger)
    assert again.notifications == first.notifications[1:] and again.already_sent == 1


def test_a_dead_letter_masks_the_destination() -> None:
    secret_url = "https://hooks.slack.com/services/T000/B000/SECRETTOKEN"
    desk = subscription(to=(Destination(secret_url, "webhook"),))
    (notification,) = pending(alert("a1", story_id="a1"), [desk], SentLedger({}, 1)).notifications
    delivery = Delivery(Final.REFUSED, 1, 0.1, DeliveryResult.permanent("HTTP 400"))
    letter = dead_letter(notification, delivery, RecordOrigin("news.alerts", 2, 7), NOW)
    text = letter.model_dump_json()
    assert "SECRETTOKEN" not in text and letter.destination == "https://hooks.slack.com/services/****"
    assert (letter.final, letter.attempts, letter.partition, letter.offset) == ("refused", 1, 2, 7)
    assert NotificationDeadLetter.model_validate_json(text) == letter
    with pytest.raises(ValueError, match="delivered"):
        dead_letter(
            notification, Delivery(Final.DELIVERED, 1, 0.1, DeliveryResult.ok()), letter_origin(), NOW
        )


def letter_origin() -> RecordOrigin:
    return RecordOrigin("news.alerts", 0, 0)


def test_a_digest_dead_letter_keeps_the_whole_digest_and_masks_the_destination() -> None:
    secret_url = "https://hooks.slack.com/services/T000/B000/SECRETTOKEN"
    desk = subscription(digest_seconds=3600, to=(Destination(secret_url, "webhook"),))
    digester = Digester(JsonStore())
    for record in (alert("a1", story_id="a1"), alert("b1", story_id="b1")):
        for entry in route(record, [desk]).later:
            digester.add(entry, T0 + timedelta(minutes=5))
    (digest,) = digester.due([desk], T0 + timedelta(hours=1))
    (destination,) = desk.to
    delivery = Delivery(Final.EXHAUSTED, 4, 30.0, DeliveryResult.retryable("HTTP 503"))
    letter = digest_dead_letter(digest, destination, delivery, RecordOrigin("desk-digests", 1, 9), NOW)
    text = letter.model_dump_json()
    assert "SECRETTOKEN" not in text
    assert (letter.kind, letter.final, letter.attempts, letter.record) == ("digest", "exhausted", 4, None)
    assert letter.notification_id == digest.digest_id(destination)
    assert letter.digest is not None
    assert [item["story_id"] for item in letter.digest["items"]] == ["a1", "b1"]
    assert NotificationDeadLetter.model_validate_json(text) == letter


def test_a_dead_letter_holds_what_its_kind_says() -> None:
    (notification,) = pending(alert("a1", story_id="a1"), [subscription()], SentLedger({}, 1)).notifications[
        :1
    ]
    delivery = Delivery(Final.REFUSED, 1, 0.1, DeliveryResult.permanent("HTTP 400"))
    fields = dead_letter(notification, delivery, letter_origin(), NOW).model_dump()
    with pytest.raises(ValueError, match="holds its digest"):
        NotificationDeadLetter.model_validate({**fields, "kind": "digest"})
    with pytest.raises(ValueError, match="holds its record"):
        NotificationDeadLetter.model_validate({**fields, "record": None})
