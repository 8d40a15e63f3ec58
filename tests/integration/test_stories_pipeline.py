"""Stories end to end on the real broker: an original and two syndicated copies of it,
replayed under their own ids (so on different partitions of the articles topic), become
one story of each watch-list they match; another report stays a story of its own."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers.environment import run_newswatch
from tests.helpers.kafka import kcat_read, wait_for_keys, wait_for_records
from tests.helpers.workers import StartWorker

pytestmark = [pytest.mark.integration, pytest.mark.stories]

WIRE_BODY = (
    "The United Nations Security Council on Tuesday extended sanctions on North Korea for another "
    "year, citing continued ballistic missile tests in violation of earlier resolutions.\n"
    "Diplomats said the vote was unanimous after weeks of negotiation over the wording of the text, "
    "which keeps a panel of experts monitoring how the sanctions are enforced.\n"
    "Pyongyang's envoy rejected the decision and said his country would continue to strengthen its "
    "defences against what he called hostile policies of the United States and its allies.\n"
    "Analysts expect further missile launches in the coming weeks as the annual military drills begin."
)
OTHER_BODY = (
    "The European Union imposed new sanctions on Iran's central bank on Friday, freezing assets held "
    "in member states and banning transactions with several state-owned shipping companies.\n"
    "Officials in Brussels said the measures respond to the supply of drones used in attacks, and "
    "that further listings of individuals were being prepared for the next meeting of ministers.\n"
    "Tehran condemned the move as economic warfare and summoned the ambassadors of three member states."
)
WIRE = {"orig-1", "copy-a", "copy-b"}
ARTICLES = [
    {
        "id": "orig-1",
        "title": "UN extends North Korea sanctions",
        "body": WIRE_BODY,
        "source": "Wire",
        "published_at": "2024-05-07T08:00:00+00:00",
    },
    {  # re-headlined
        "id": "copy-a",
        "title": "Security Council keeps sanctions on Pyongyang",
        "body": WIRE_BODY,
        "source": "Daily A",
        "published_at": "2024-05-07T09:00:00+00:00",
    },
    {  # re-headlined, with a dateline and a "Read more" line
        "id": "copy-b",
        "title": "North Korea: sanctions renewed",
        "body": f"NEW YORK, May 7 (Wire) -\n{WIRE_BODY}\nRead more:",
        "source": "Paper B",
        "published_at": "2024-05-07T10:00:00+00:00",
    },
    {  # the same watch-list (sanctions), a different story
        "id": "other-1",
        "title": "EU targets Iran's central bank with sanctions",
        "body": OTHER_BODY,
        "source": "Wire",
        "published_at": "2024-05-07T11:00:00+00:00",
    },
]


def test_copies_join_the_story_of_their_original(
    pipeline_env: dict[str, str], start_worker: StartWorker, tmp_path: Path
) -> None:
    start_worker(pipeline_env)
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps(article) + "\n" for article in ARTICLES), encoding="utf-8")
    result = run_newswatch(pipeline_env, "replay", str(articles))
    assert result.returncode == 0, result.stderr

    bootstrap = pipeline_env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    # sanctions: 3 wire + 1 other; korean_peninsula: 3 wire; arms_transfers: other (see `newswatch tag`).
    expected = 8
    stories = wait_for_records(bootstrap, pipeline_env["NEWSWATCH_STORIES_TOPIC"], expected)
    alerts = wait_for_records(bootstrap, pipeline_env["NEWSWATCH_ALERTS_TOPIC"], expected)
    assert len(stories) == len(alerts) == expected

    for watchlist in ("sanctions", "korean_peninsula"):
        wire = [
            event for _, event in stories if event["watchlist"] == watchlist and event["article_id"] in WIRE
        ]
        # Copies land on other partitions and may be tagged first: whichever came first opened it.
        assert Counter(event["kind"] for event in wire) == {"new": 1, "copy": 2}, wire
        assert len({event["story_id"] for event in wire}) == 1
        assert {event["article_id"] for event in wire} == WIRE
        assert sorted(event["size"] for event in wire) == [1, 2, 3]
    story_of = {(event["watchlist"], event["article_id"]): event["story_id"] for _, event in stories}
    assert story_of[("sanctions", "other-1")] == "other-1", "a different story stays apart"
    assert story_of[("sanctions", "orig-1")] in WIRE
    for key, event in stories:
        assert key == event["story_id"], "story events are keyed by story id"

    for key, alert in alerts:
        assert key == alert["article_id"]
        assert alert["story_id"] == story_of[(alert["watchlist"], alert["article_id"])]

    # The state is in the table named `stories`, logged to the changelog the worker created.
    # (Polled: the changelog writes can reach the broker after the story events.)
    changelog = f"{pipeline_env['NEWSWATCH_APP_ID']}-stories-changelog"
    wait_for_keys(bootstrap, changelog, {"story/sanctions/other-1"})


def test_with_stories_off_alerts_are_published_directly_without_story_ids(
    pipeline_env: dict[str, str], start_worker: StartWorker, tmp_path: Path
) -> None:
    env = {**pipeline_env, "NEWSWATCH_STORIES_ENABLED": "false"}
    start_worker(env)
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps(article) + "\n" for article in ARTICLES), encoding="utf-8")
    assert run_newswatch(env, "replay", str(articles)).returncode == 0

    bootstrap = env["NEWSWATCH_KAFKA_BOOTSTRAP"]
    alerts = wait_for_records(bootstrap, env["NEWSWATCH_ALERTS_TOPIC"], 8)
    assert {alert["story_id"] for _, alert in alerts} == {None}
    assert kcat_read(bootstrap, env["NEWSWATCH_STORIES_TOPIC"]) == []
    assert kcat_read(bootstrap, f"{env['NEWSWATCH_APP_ID']}-stories-by-watchlist") == []
