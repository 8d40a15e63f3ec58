"""Syndicated copies made by script: the edits outlets make to a wire story.

Used to build the labelled set that measures `same_story` (see `quality.py`): every
original is copied once per edit kind. The language-specific text an edit inserts (a
dateline, a byline, a "Read more" line, an update paragraph) comes from `Inserts`, so
that each language gets copies in its own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Sentence ends of the languages in the set: Latin, CJK, Arabic.
_SENTENCE_END = re.compile(r"(?<=[.!?。！？؟])\s*")


@dataclass(frozen=True, slots=True)
class Inserts:
    """What the edits of one language insert."""

    lang: str
    dateline: str
    byline: str
    credit: str
    read_more: tuple[str, str]
    furniture: tuple[str, str]
    update: str
    reheadline: str

    @classmethod
    def from_json(cls, value: dict[str, object]) -> Inserts:
        read_more, furniture = value["read_more"], value["furniture"]
        assert isinstance(read_more, list) and isinstance(furniture, list)
        return cls(
            lang=str(value["lang"]),
            dateline=str(value["dateline"]),
            byline=str(value["byline"]),
            credit=str(value["credit"]),
            read_more=(str(read_more[0]), str(read_more[1])),
            furniture=(str(furniture[0]), str(furniture[1])),
            update=str(value["update"]),
            reheadline=str(value["reheadline"]),
        )


Copy = tuple[str, str]  # title, body
Edit = Callable[[str, list[str], Inserts], Copy]


def _exact(title: str, paragraphs: list[str], inserts: Inserts) -> Copy:
    return title, "\n".join(paragraphs)


def _reheadline(title: str, paragraphs: list[str], inserts: Inserts) -> Copy:
    return f"{inserts.reheadline}: {title}", "\n".join(paragraphs)


def _dateline(title: str, paragraphs: list[str], inserts: Inserts) -> Copy:
    # In the first paragraph's line, as the agencies write it.
    return title, "\n".join([f"{inserts.dateline} {paragraphs[0]}", *paragraphs[1:]])


def _byline(title: str, paragraphs: list[str], inserts: Inserts) -> Copy:
    return title, "\n".join([inserts.byline, *paragraphs, inserts.credit])


def _boilerplate(title: str, paragraphs: list[str], inserts: Inserts) -> Copy:
    first, second = inserts.read_more
    advert, newsletter = inserts.furniture
    lines = [paragraphs[0], first, *paragraphs[1:2], advert, *paragraphs[2:], second, newsletter]
    return title, "\n".join(lines)


def _trimmed(title: str, paragraphs: list[str], inserts: Inserts) -> Copy:
    """The first half of the paragraphs (rounded up): a copy cut to fit."""
    return title, "\n".join(paragraphs[: (len(paragraphs) + 1) // 2])


def _dropped(title: str, paragraphs: list[str], inserts: Inserts) -> Copy:
    """One paragraph from the middle left out (none from a text of one or two: nothing
    would be left of it to call a copy)."""
    if len(paragraphs) < 3:
        return title, "\n".join(paragraphs)
    middle = len(paragraphs) // 2
    return title, "\n".join(paragraphs[:middle] + paragraphs[middle + 1 :])


def _shortened(title: str, paragraphs: list[str], inserts: Inserts) -> Copy:
    """The sentences that fit in 60 % of the text: a copy shortened mid-paragraph."""
    body = "\n".join(paragraphs)
    limit = int(len(body) * 0.6)
    ends = [match.start() for match in _SENTENCE_END.finditer(body) if 0 < match.start() <= limit]
    return title, body[: ends[-1]] if ends else body[:limit]


def _appended(title: str, paragraphs: list[str], inserts: Inserts) -> Copy:
    return f"UPDATE 1-{title}", "\n".join([*paragraphs, inserts.update])


def _syndicated(title: str, paragraphs: list[str], inserts: Inserts) -> Copy:
    """Re-headlined, with a dateline, a byline and boilerplate, as a portal runs it."""
    new_title, _ = _reheadline(title, paragraphs, inserts)
    _, body = _dateline(title, paragraphs, inserts)
    _, body = _byline(title, body.split("\n"), inserts)
    _, body = _boilerplate(title, body.split("\n"), inserts)
    return new_title, body


EDITS: dict[str, Edit] = {
    "exact": _exact,
    "reheadline": _reheadline,
    "dateline": _dateline,
    "byline": _byline,
    "boilerplate": _boilerplate,
    "trimmed": _trimmed,
    "dropped": _dropped,
    "shortened": _shortened,
    "appended": _appended,
    "syndicated": _syndicated,
}


def variant(kind: str, title: str, body: str, inserts: Inserts) -> Copy:
    """The copy of (`title`, `body`) that edit `kind` makes (one of `EDITS`)."""
    return EDITS[kind](title, [line for line in body.split("\n") if line.strip()], inserts)
