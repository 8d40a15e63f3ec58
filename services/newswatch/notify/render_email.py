"""What a person reads: an email's subject, plain text and HTML, and a chat message.

The evidence is shown with the matched words highlighted (`<mark>` in HTML, `[[...]]`
in plain text). In a title the evidence's start/end offsets are exact; in a body the
alert carries only a snippet (whitespace folded, cut to whole words), so the match is
found in the snippet at the occurrence nearest where the offsets put it. Everything
from an article is HTML-escaped. Output is linear in the input and bounded: records are
bounded copies (`bounded.py`) and a digest shows at most MAX_DIGEST_STORIES stories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from newswatch.contracts import Alert, Evidence, SpikeEvent
from newswatch.notify.bounded import bounded_alert, bounded_spike, cut
from newswatch.notify.digest import Digest, DigestStory
from newswatch.notify.routing import Notification

MAX_SUBJECT_CHARS = 200
MAX_DIGEST_STORIES = 50
MAX_CHAT_CHARS = 3500  # under the smallest common limit (Telegram: 4,096)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_SNIPPET_CONTEXT = 60  # the engine's snippet context (watchlists/text/sentences.py)


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


def notification_email(notification: Notification) -> Rendered:
    record = notification.record
    if isinstance(record, SpikeEvent):
        return _spike_email(bounded_spike(record))
    alert = bounded_alert(record)
    subject = f"[{alert.watchlist}] {alert.title or alert.article_id} (1 outlet)"
    if notification.subject == "alert":
        subject = f"[{alert.watchlist}] {alert.title or alert.article_id}"
    text = _alert_text(alert)
    html = f"<html><body>{_alert_html(alert)}</body></html>"
    return Rendered(one_line(subject), text, html)


def chat_message(rendered: Rendered) -> tuple[str, str]:
    """(title, body) of an apprise notification: the email's subject and plain text, cut."""
    return rendered.subject, cut(rendered.text, MAX_CHAT_CHARS)


def digest_email(digest: Digest) -> Rendered:
    """Grouped by watch-list, then story; spikes first in their watch-list."""
    name = digest.subscription.name
    period = f"{_clock(digest.start)} to {_clock(digest.end)}"
    subject = f"[{name}] digest: {digest.story_count} stories, {digest.spike_count} spikes ({period})"
    text: list[str] = [f"{name}: {period}", ""]
    html: list[str] = [f"<html><body><h1>{escape(name)}: {escape(period)}</h1>"]
    shown = 0
    for group in digest.groups:
        text.append(f"== {group.watchlist} ==")
        html.append(f"<h2>{escape(group.watchlist)}</h2>")
        for spike in group.spikes:
            text.append(_spike_line(spike))
            html.append(f"<p><strong>{escape(_spike_line(spike))}</strong></p>")
        for story in group.stories:
            if shown == MAX_DIGEST_STORIES:
                break
            shown += 1
            text.extend([_story_heading(story), *(_alert_text(alert) for alert in story.alerts)])
            html.append(f"<h3>{escape(_story_heading(story))}</h3>")
            html.extend(_alert_html(alert) for alert in story.alerts)
    not_shown = digest.story_count - shown + digest.left_out
    if not_shown:
        text.append(f"... and {not_shown} more not shown.")
        html.append(f"<p>… and {not_shown} more not shown.</p>")
    html.append("</body></html>")
    return Rendered(one_line(subject), "\n".join(text), "\n".join(html))


def digest_chat(digest: Digest) -> tuple[str, str]:
    """(title, body) of a chat digest: a summary, one line per story and spike, cut."""
    lines: list[str] = []
    for group in digest.groups:
        lines.append(f"{group.watchlist}: {len(group.stories)} stories, {len(group.spikes)} spikes")
        lines += [f"- {_spike_line(spike)}" for spike in group.spikes]
        lines += [f"- {one_line(_story_heading(story))}" for story in group.stories]
    if digest.left_out:
        lines.append(f"... and {digest.left_out} more not shown.")
    return digest_email(digest).subject, cut("\n".join(lines), MAX_CHAT_CHARS)


def one_line(text: str) -> str:
    """A header-safe subject: no line breaks or control characters, bounded."""
    return cut(" ".join(_CONTROL.sub(" ", text).split()), MAX_SUBJECT_CHARS)


def highlight_spans(text: str, spans: list[tuple[int, int]], mark: tuple[str, str], quote: bool) -> str:
    """`text` with each non-overlapping span wrapped in `mark`; escaped when `quote`."""
    out: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start < position or end > len(text) or start >= end:
            continue  # overlapping or outside the (cut) text: shown without a mark
        out += [_esc(text[position:start], quote), mark[0], _esc(text[start:end], quote), mark[1]]
        position = end
    out.append(_esc(text[position:], quote))
    return "".join(out)


def snippet_span(evidence: Evidence) -> tuple[int, int] | None:
    """Where the match is in the snippet: the occurrence of its (folded) text nearest the
    place the offsets give (the snippet starts about _SNIPPET_CONTEXT characters before)."""
    needle = " ".join(evidence.text.split())
    if not needle:
        return None
    expected = min(evidence.start, _SNIPPET_CONTEXT) + (1 if evidence.snippet.startswith("…") else 0)
    best: int | None = None
    found = evidence.snippet.find(needle)
    while found != -1:
        if best is None or abs(found - expected) < abs(best - expected):
            best = found
        found = evidence.snippet.find(needle, found + 1)
    return (best, best + len(needle)) if best is not None else None


def _alert_text(alert: Alert) -> str:
    lines = [_title(alert, ("[[", "]]"), quote=False), _byline(alert)]
    for item in alert.evidence:
        if item.field == "body":
            span = snippet_span(item)
            shown = highlight_spans(item.snippet, [span] if span else [], ("[[", "]]"), quote=False)
            lines.append(f"  - {shown}")
    if alert.url:
        lines.append(f"  {alert.url}")
    return "\n".join(lines) + "\n"


def _alert_html(alert: Alert) -> str:
    title = _title(alert, ("<mark>", "</mark>"), quote=True)
    if alert.url and alert.url.startswith(("https://", "http://")):  # never a javascript: link
        title = f'<a href="{escape(alert.url)}">{title}</a>'
    items = []
    for item in alert.evidence:
        if item.field == "body":
            span = snippet_span(item)
            items.append(
                "<li>"
                + highlight_spans(item.snippet, [span] if span else [], ("<mark>", "</mark>"), True)
                + "</li>"
            )
    evidence = f"<ul>{''.join(items)}</ul>" if items else ""
    return f"<div><p><strong>{title}</strong><br>{escape(_byline(alert))}</p>{evidence}</div>"


def _title(alert: Alert, mark: tuple[str, str], *, quote: bool) -> str:
    spans = [(item.start, item.end) for item in alert.evidence if item.field == "title"]
    return highlight_spans(alert.title or alert.article_id, spans, mark, quote)


def _byline(alert: Alert) -> str:
    parts = [alert.source or "unknown outlet", f"score {alert.score:g}"]
    if alert.published_at is not None:
        parts.append(_clock(alert.published_at))
    return " · ".join(parts)


def _story_heading(story: DigestStory) -> str:
    outlets = len(story.outlets) or 1
    return f"{story.title} ({story.articles} articles, {outlets} outlet{'s' if outlets != 1 else ''})"


def _spike_email(spike: SpikeEvent) -> Rendered:
    line = _spike_line(spike)
    titles = [story.title for story in spike.stories]
    text = "\n".join([line, "", *(f"  - {title}" for title in titles)])
    items = "".join(f"<li>{escape(title)}</li>" for title in titles)
    html = f"<html><body><p><strong>{escape(line)}</strong></p><ul>{items}</ul></body></html>"
    return Rendered(one_line(f"[{spike.watchlist}] {line}"), text, html)


def _spike_line(spike: SpikeEvent) -> str:
    return (
        f"Spike: {spike.count} new stories from {_clock(spike.window_start)} "
        f"(baseline {spike.baseline:.1f} an hour)"
    )


def _clock(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _esc(text: str, quote: bool) -> str:
    return escape(text) if quote else text
