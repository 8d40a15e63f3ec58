"""Bounded copies of records: what a notification, a digest entry or a rendering holds.

An alert's title and evidence come from an article, which may be hostile (a 1 MiB
title, thousands of evidence items). Everything the notifier stores or sends is cut to
these sizes first, so the digest store, a webhook body and an email stay small whatever
the article was. A cut text ends with "…".
"""

from __future__ import annotations

from newswatch.contracts import Alert, Evidence, SpikeEvent, StoryRef

MAX_TITLE_CHARS = 300
MAX_EVIDENCE = 5
MAX_SNIPPET_CHARS = 300
MAX_MATCH_CHARS = 100
MAX_SOURCE_CHARS = 100
MAX_URL_CHARS = 2000
MAX_SPIKE_STORIES = 10
ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def bounded_alert(alert: Alert) -> Alert:
    """The alert with its title, texts and evidence list cut to the limits above."""
    evidence = [
        Evidence(
            term=cut(item.term, MAX_MATCH_CHARS),
            field=item.field,
            start=item.start,
            end=item.end,
            text=cut(item.text, MAX_MATCH_CHARS),
            snippet=cut(item.snippet, MAX_SNIPPET_CHARS),
        )
        for item in alert.evidence[:MAX_EVIDENCE]
    ]
    return alert.model_copy(
        update={
            "title": cut(alert.title, MAX_TITLE_CHARS),
            "evidence": evidence,
            "url": _url(alert.url),
            "source": cut(alert.source, MAX_SOURCE_CHARS) if alert.source is not None else None,
        }
    )


def bounded_spike(spike: SpikeEvent) -> SpikeEvent:
    stories = [
        StoryRef(story_id=story.story_id, title=cut(story.title, MAX_TITLE_CHARS))
        for story in spike.stories[:MAX_SPIKE_STORIES]
    ]
    return spike.model_copy(update={"stories": stories})


def _url(url: str | None) -> str | None:
    # A URL cut short is a wrong link: drop an absurdly long one instead.
    return url if url is not None and len(url) <= MAX_URL_CHARS else None
