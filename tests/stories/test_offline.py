"""`newswatch tag` places alerts in stories like the worker (the same core over a dict, in
input order), and `newswatch run` prints a copy as one line under its story."""

from __future__ import annotations

import json

import pytest

from newswatch.contracts import Alert
from newswatch.run import _StoryPrinter
from tests.stories.test_records import alert_of, article, body
from tests.tagger.test_offline import run_tag

TEXT = (
    "The UN Security Council extended sanctions on North Korea over its missile tests.\n"
    "Diplomats said the vote was unanimous after weeks of talks on the wording of the text.\n"
)
ARTICLES = "".join(
    json.dumps(item) + "\n"
    for item in (
        {"id": "orig", "title": "One", "body": TEXT},
        {"id": "copy", "title": "Two", "body": f"SEOUL (Wire) -\n{TEXT}Read more:"},
        {"id": "other", "title": "Three", "body": "The European Union imposed new sanctions on Iran's bank."},
    )
)


def stories_of(stdout: str) -> list[tuple[str, str, str | None]]:
    alerts = [Alert.model_validate_json(line) for line in stdout.splitlines()]
    return [(alert.article_id, alert.watchlist, alert.story_id) for alert in alerts]


def test_tag_prints_story_ids_copies_sharing_their_originals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWATCH_STORIES_ENABLED", "true")
    result = run_tag(stdin=ARTICLES)
    assert result.returncode == 0, result.stderr
    story_of = {(article_id, watchlist): story for article_id, watchlist, story in stories_of(result.stdout)}
    assert story_of[("orig", "sanctions")] == story_of[("copy", "sanctions")] == "orig"
    assert story_of[("other", "sanctions")] == "other"
    # Deterministic: the same input gives the same story ids (tagged_at aside).
    assert stories_of(run_tag(stdin=ARTICLES).stdout) == stories_of(result.stdout)


def test_tag_without_stories_prints_null_story_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWATCH_STORIES_ENABLED", "false")
    result = run_tag(stdin=ARTICLES)
    assert result.returncode == 0, result.stderr
    assert {story for _, _, story in stories_of(result.stdout)} == {None}


def test_run_prints_a_story_in_full_and_each_copy_once_as_one_line_under_it() -> None:
    printer = _StoryPrinter()
    original = alert_of(article("orig", body(1))).model_copy(update={"story_id": "orig"})
    copy = alert_of(article("copy", body(1), title="Re-headlined"))
    copy_in_story = copy.model_copy(update={"story_id": "orig"})
    shown = printer.describe(original.model_dump_json().encode())
    assert shown is not None and shown.startswith("ALERT [sanctions] A title")
    assert printer.describe(copy_in_story.model_dump_json().encode()) == (
        "    + copy from outlet copy: Re-headlined"
    )
    other_list = copy_in_story.model_copy(update={"watchlist": "ports"})
    assert printer.describe(other_list.model_dump_json().encode()) is None, "one line per copy"
    unsourced = copy_in_story.model_copy(update={"article_id": "copy-2", "source": None})
    assert printer.describe(unsourced.model_dump_json().encode()) == "    + copy from copy-2: Re-headlined"
    # Stories off: every alert in full, as before.
    stories_off = printer.describe(copy.model_dump_json().encode())
    assert stories_off is not None and stories_off.startswith("ALERT [sanctions] Re-headlined")
