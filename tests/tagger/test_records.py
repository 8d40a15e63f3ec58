"""What one raw record becomes: alerts, or a dead letter that keeps it and says why."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import UTC, datetime

import pytest

from newswatch.contracts import Alert, DeadLetter, alert_id_for
from newswatch.tagger.records import (
    DEAD_LETTER_VALUE_BYTES,
    DeadLettered,
    RecordOrigin,
    Tagged,
    tag_record,
)
from newswatch.watchlists import Engine

NOW = datetime(2026, 11, 26, tzinfo=UTC)
ORIGIN = RecordOrigin("news.articles", 2, 41)
LIMIT = 1_000_000
BUDGET = 2.0


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine.default()
    # As the worker does before its first record: the language model takes about a
    # second to load, which would count against the first record's budget.
    engine.detect_language("warm-up")
    return engine


def dead_letter_of(outcome: Tagged | DeadLettered) -> DeadLetter:
    assert isinstance(outcome, DeadLettered)
    return outcome.dead_letter


def article_bytes(**fields: object) -> bytes:
    return json.dumps({"id": "a-1", "title": "", "body": "Nothing to see here.", **fields}).encode()


def test_matching_article_becomes_alerts_with_deterministic_ids(engine: Engine) -> None:
    value = article_bytes(
        title="New sanctions on North Korea",
        body="The UN Security Council imposed new sanctions on North Korea.",
    )
    outcome = tag_record(b"a-1", value, ORIGIN, engine, NOW, max_value_bytes=LIMIT, budget_seconds=BUDGET)
    assert isinstance(outcome, Tagged)
    by_list = {alert.watchlist: alert for alert in outcome.alerts}
    assert {"sanctions", "korean_peninsula"} <= set(by_list)
    assert by_list["sanctions"].alert_id == alert_id_for("a-1", "sanctions")
    assert by_list["sanctions"].tagged_at == NOW
    assert all(isinstance(alert, Alert) and alert.evidence for alert in outcome.alerts)


def test_article_with_no_match_gives_no_alert(engine: Engine) -> None:
    outcome = tag_record(
        b"a-1",
        article_bytes(body="The bakery on Main Street sells bread."),
        ORIGIN,
        engine,
        NOW,
        max_value_bytes=LIMIT,
        budget_seconds=BUDGET,
    )
    assert isinstance(outcome, Tagged) and outcome.alerts == []


@pytest.mark.parametrize(
    ("value", "reason", "words"),
    [
        (None, "not_json", "no value"),
        (b"", "not_json", "no value"),
        (b"\xff\xfe\xfd", "not_utf8", "not UTF-8"),
        (b'{"id": "a", ', "not_json", "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not_json", "nested"),
        (b'"just a string"', "invalid_article", "JSON object"),
        (b"[1, 2]", "invalid_article", "JSON object"),
        (json.dumps({"id": "", "body": "b"}).encode(), "invalid_article", "id:"),
        (json.dumps({"id": "x"}).encode(), "invalid_article", "body: Field required"),
        (json.dumps({"id": "x", "body": 42}).encode(), "invalid_article", "body:"),
        (json.dumps({"id": "x", "body": "b", "colour": "red"}).encode(), "invalid_article", "colour"),
    ],
)
def test_bad_records_become_dead_letters_with_reason_and_original_bytes(
    engine: Engine, value: bytes | None, reason: str, words: str
) -> None:
    outcome = tag_record(b"key", value, ORIGIN, engine, NOW, max_value_bytes=LIMIT, budget_seconds=BUDGET)
    letter = dead_letter_of(outcome)
    assert letter.reason == reason
    assert words in letter.detail
    assert letter.original_value() == (value or b"")
    assert (letter.topic, letter.partition, letter.offset) == ("news.articles", 2, 41)
    # Bad input is expected: no traceback to log.
    assert isinstance(outcome, DeadLettered) and outcome.failure is None


def test_engine_failure_becomes_a_dead_letter_not_a_crash(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: object, **__: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "match", explode)
    outcome = tag_record(
        b"k", article_bytes(), ORIGIN, engine, NOW, max_value_bytes=LIMIT, budget_seconds=BUDGET
    )
    letter = dead_letter_of(outcome)
    assert letter.reason == "tagging_failed"
    assert "RuntimeError: boom" in letter.detail
    # The traceback, which the dead letter leaves out, comes back for the worker to log.
    assert isinstance(outcome, DeadLettered) and isinstance(outcome.failure, RuntimeError)
    assert outcome.failure.__traceback__ is not None


def test_record_over_the_size_limit_is_refused_unparsed_and_kept_by_its_head(engine: Engine) -> None:
    value = article_bytes(body="sanctions " * 300_000)
    outcome = tag_record(b"big", value, ORIGIN, engine, NOW, max_value_bytes=LIMIT, budget_seconds=BUDGET)
    letter = dead_letter_of(outcome)
    assert letter.reason == "too_large"
    assert "NEWSWATCH_MAX_ARTICLE_BYTES" in letter.detail
    assert letter.value_size == len(value) and letter.value_truncated
    assert letter.original_value() == value[:DEAD_LETTER_VALUE_BYTES]
    assert letter.value_sha256 == hashlib.sha256(value).hexdigest()


def test_record_just_under_the_limit_is_tagged(engine: Engine) -> None:
    value = article_bytes(body="New sanctions on North Korea. " + "x" * 1000)
    outcome = tag_record(b"k", value, ORIGIN, engine, NOW, max_value_bytes=len(value), budget_seconds=BUDGET)
    assert isinstance(outcome, Tagged)


def test_a_huge_key_is_kept_by_its_head_so_the_dead_letter_still_fits(engine: Engine) -> None:
    key = b"k" * 600_000
    outcome = tag_record(key, b"not json", ORIGIN, engine, NOW, max_value_bytes=LIMIT, budget_seconds=BUDGET)
    letter = dead_letter_of(outcome)
    assert letter.key_truncated
    assert len(letter.model_dump_json()) < 100_000


def test_a_record_over_its_time_budget_becomes_a_too_slow_dead_letter_saying_where_the_time_went(
    engine: Engine,
) -> None:
    # A clock that advances half a second each time it is read: every stage "takes" 0.5 s,
    # so a 2 s budget runs out at the fifth stage boundary, inside the evaluation.
    ticks = itertools.count(step=0.5)
    value = article_bytes(
        title="New sanctions on North Korea",
        body="The UN Security Council imposed new sanctions on North Korea.",
    )
    outcome = tag_record(
        b"a-1",
        value,
        ORIGIN,
        engine,
        NOW,
        max_value_bytes=LIMIT,
        budget_seconds=2.0,
        clock=lambda: next(ticks),
    )
    letter = dead_letter_of(outcome)
    assert letter.reason == "too_slow"
    assert letter.detail.startswith(
        "tagging took more than the 2.0 s budget (NEWSWATCH_RECORD_BUDGET_SECONDS): 2.50 s, of which "
        "decode 0.50 s, normalise 0.50 s, screen 0.50 s, scan 0.50 s, evaluate "
    )
    assert "; stopped after evaluate " in letter.detail
    assert "raise the budget" in letter.detail
    assert letter.original_value() == value and not letter.value_truncated
    assert (letter.topic, letter.partition, letter.offset) == ("news.articles", 2, 41)


def test_time_spent_decoding_counts_against_the_budget(engine: Engine) -> None:
    ticks = itertools.count(step=5.0)
    outcome = tag_record(
        b"k",
        article_bytes(),
        ORIGIN,
        engine,
        NOW,
        max_value_bytes=LIMIT,
        budget_seconds=1.0,
        clock=lambda: next(ticks),
    )
    letter = dead_letter_of(outcome)
    assert letter.reason == "too_slow"
    assert letter.detail.endswith(
        "stopped after decode. Expected for such articles: raise the budget; "
        "otherwise report it with this dead letter"
    )
