"""The stories stage's decision: a story request in; the alert with its story id, the
story event and the spike out, or a dead letter. And what feeds it: the requests and
their event time, and the table seen as the core's store."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from newswatch.contracts import Alert, Article, Evidence, StoryRequest, alert_id_for
from newswatch.settings import Settings
from newswatch.stories.book import StoryBook
from newswatch.stories.fingerprint import fingerprint
from newswatch.stories.records import Storied, StoryState, place_record
from newswatch.stories.requests import event_time, story_requests
from newswatch.stories.spikes import SpikeDetector, SpikeParams
from newswatch.stories.store import EmptyValueError, TableStore
from newswatch.tagger.records import DeadLettered, RecordOrigin, Tagged
from tests.helpers.stores import JsonStore

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
ORIGIN = RecordOrigin("app-stories-by-watchlist", 1, 7)


def body(seed: int) -> str:
    """Four lines of words drawn at random: bodies of different seeds share next to nothing."""
    rng = random.Random(seed)
    return "\n".join(" ".join(f"w{rng.randrange(5000)}" for _ in range(12)) for _ in range(4))


def article(article_id: str, text: str, *, title: str = "A title", at: datetime | None = T0) -> Article:
    return Article(id=article_id, title=title, body=text, source=f"outlet {article_id}", published_at=at)


def alert_of(item: Article, watchlist: str = "sanctions") -> Alert:
    evidence = Evidence(term="sanctions", field="body", start=0, end=2, text="w1", snippet="w1")
    return Alert(
        alert_id=alert_id_for(item.id, watchlist),
        article_id=item.id,
        watchlist=watchlist,
        score=1.0,
        evidence=[evidence],
        title=item.title,
        language="en",
        url=None,
        source=item.source,
        published_at=item.published_at,
        tagged_at=NOW,
    )


def request_bytes(item: Article, watchlist: str = "sanctions") -> bytes:
    tagged = Tagged(item, [alert_of(item, watchlist)], fingerprint(item.title, item.body))
    [request] = story_requests(tagged, kafka_timestamp=T0.timestamp())
    return request.model_dump_json().encode()


def state(store: JsonStore | None = None, min_count: int = 5) -> StoryState:
    store = JsonStore() if store is None else store
    return StoryState(
        StoryBook(store), SpikeDetector(store, SpikeParams(min_count=min_count, warmup_buckets=0))
    )


def placed(value: bytes, stage: StoryState) -> Storied:
    outcome = place_record(b"sanctions", value, ORIGIN, stage, NOW)
    assert isinstance(outcome, Storied), outcome
    return outcome


def test_the_first_article_opens_a_story_and_its_copy_joins_it() -> None:
    stage = state()
    original = placed(request_bytes(article("orig", body(1))), stage)
    copy_text = "BRUSSELS, March 2 (Wire) -\n" + body(1) + "\nRead more:"
    copy = placed(
        request_bytes(article("copy", copy_text, title="Re-headlined", at=T0 + timedelta(hours=1))), stage
    )

    assert original.story.kind == "new" and original.story.size == 1
    assert original.alert.story_id == original.story.story_id == "orig"
    assert copy.story.kind == "copy" and copy.story.size == 2
    assert copy.alert.story_id == copy.story.story_id == "orig"
    assert copy.story.first_article_id == "orig" and copy.story.first_title == "A title"
    assert copy.story.first_seen_at == T0
    assert copy.story.event_time == T0 + timedelta(hours=1)
    assert (copy.story.title, copy.story.source) == ("Re-headlined", "outlet copy")
    # The alert is the tagger's, with the story id added and nothing else changed.
    assert copy.alert.model_dump(exclude={"story_id"}) == alert_of(
        article("copy", copy_text, title="Re-headlined", at=T0 + timedelta(hours=1))
    ).model_dump(exclude={"story_id"})


def test_a_different_story_stays_apart_and_watchlists_have_stories_of_their_own() -> None:
    stage = state()
    placed(request_bytes(article("a", body(1))), stage)
    other = placed(request_bytes(article("b", body(2))), stage)
    same_text_other_list = placed(request_bytes(article("c", body(1)), watchlist="ports"), stage)
    assert (other.story.kind, other.story.story_id) == ("new", "b")
    assert (same_text_other_list.story.kind, same_text_other_list.story.story_id) == ("new", "c")


def test_enough_new_stories_in_an_hour_raise_one_spike_with_its_stories() -> None:
    stage = state(min_count=3)
    outcomes = [
        placed(
            request_bytes(article(f"s{n}", body(n), title=f"story {n}", at=T0 + n * timedelta(minutes=5))),
            stage,
        )
        for n in range(5)
    ]
    spikes = [outcome.spike for outcome in outcomes if outcome.spike is not None]
    [spike] = spikes
    assert outcomes[2].spike is spike, "the third new story reaches the minimum count"
    assert spike.watchlist == "sanctions" and spike.count == 3 and spike.baseline == 0
    assert spike.window_start == T0 and spike.window_end == T0 + timedelta(hours=1)
    assert [(ref.story_id, ref.title) for ref in spike.stories] == [(f"s{n}", f"story {n}") for n in range(3)]
    assert spike.raised_at == NOW


def test_copies_raise_no_spike() -> None:
    stage = state(min_count=2)
    outcomes = [
        placed(request_bytes(article(f"c{n}", body(1), at=T0 + n * timedelta(minutes=1))), stage)
        for n in range(6)
    ]
    assert [outcome.story.kind for outcome in outcomes] == ["new"] + ["copy"] * 5
    assert all(outcome.spike is None for outcome in outcomes)


def test_the_same_request_twice_gives_the_same_outputs() -> None:
    stage = state(min_count=2)
    placed(request_bytes(article("s0", body(0))), stage)
    value = request_bytes(article("s1", body(1)))
    first = placed(value, stage)
    assert first.spike is not None
    again = placed(value, stage)
    assert again == first, "a redelivered request (after a crash) must not become a copy of itself"
    # And after a restart: a fresh book over the same store (the index rebuilt from it).
    assert placed(value, state(stage.book._store)) == first  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (b"not json", "not a valid StoryRequest"),
        (None, "not a valid StoryRequest"),
        (
            json.dumps({"alert": {}, "fingerprint": {}, "event_time": "2026-03-02T08:00:00Z"}).encode(),
            "alert.",
        ),
    ],
)
def test_a_bad_request_becomes_a_story_failed_dead_letter(value: bytes | None, phrase: str) -> None:
    outcome = place_record(b"sanctions", value, ORIGIN, state(), NOW)
    assert isinstance(outcome, DeadLettered)
    letter = outcome.dead_letter
    assert letter.reason == "story_failed" and phrase in letter.detail
    assert (letter.topic, letter.partition, letter.offset) == (ORIGIN.topic, 1, 7)
    assert letter.original_value() == (value or b"") and letter.failed_at == NOW
    assert outcome.failure is None


def test_a_request_the_stage_fails_on_is_dead_lettered_with_its_exception() -> None:
    valid = json.loads(request_bytes(article("x", body(3))))
    valid["fingerprint"] = {"sig": "not a signature"}
    outcome = place_record(b"sanctions", json.dumps(valid).encode(), ORIGIN, state(), NOW)
    assert isinstance(outcome, DeadLettered)
    assert outcome.dead_letter.reason == "story_failed"
    assert "the stories stage failed: KeyError" in outcome.dead_letter.detail
    assert isinstance(outcome.failure, KeyError)


def test_event_time_is_published_at_else_the_kafka_timestamp() -> None:
    kafka_time = T0 + timedelta(days=3)
    published = datetime(2026, 3, 2, 10, tzinfo=UTC).astimezone(tz=None)  # another zone: same instant
    assert event_time(article("a", body(1), at=published), kafka_time.timestamp()) == published
    assert event_time(article("a", body(1), at=None), kafka_time.timestamp()) == kafka_time
    assert event_time(article("a", body(1), at=None), kafka_time.timestamp()).tzinfo == UTC


def test_one_request_per_alert_sharing_the_fingerprint_and_none_without_one() -> None:
    item = article("a", body(1))
    alerts = [alert_of(item, "sanctions"), alert_of(item, "ports")]
    found = fingerprint(item.title, item.body)
    requests = story_requests(Tagged(item, alerts, found), kafka_timestamp=0.0)
    assert [request.alert.watchlist for request in requests] == ["sanctions", "ports"]
    assert all(request.fingerprint == found.to_json() and request.event_time == T0 for request in requests)
    assert story_requests(Tagged(item, alerts), kafka_timestamp=0.0) == []
    assert all(isinstance(request, StoryRequest) for request in requests)


def test_the_table_store_passes_reads_and_writes_through_and_refuses_empty_values() -> None:
    table: dict[str, object] = {}
    store = TableStore(table)
    store["k"] = {"a": 1}
    assert table == {"k": {"a": 1}} and store["k"] == {"a": 1} and store.get("missing") is None
    assert "k" in store and list(store) == ["k"] and len(store) == 1
    assert store.pop("k") == {"a": 1} and table == {}
    for empty in (None, {}, [], "", 0):
        with pytest.raises(EmptyValueError):
            store["k"] = empty
    assert table == {}


def test_the_settings_reach_the_book_and_the_detector() -> None:
    settings = Settings(
        story_window_hours=2, spike_min_count=7, spike_sensitivity=0.01, spike_cooldown_hours=1.5
    )
    stage = StoryState.over(TableStore({}), settings)
    assert stage.book._window == 2 * 3600
    assert stage.spikes.params == SpikeParams(min_count=7, sensitivity=0.01, cooldown_seconds=5400)
    assert stage.book._store is stage.spikes.store
