"""Recognise lines that scrapers copy from the page around an article.

Links to related stories ("BACA: North Korea fires missile") and subscription or
layout prompts are not the article's news; a story about rice prices must not alert on
korean_peninsula because the page linked to a North Korea story. Lines are compared
after normalisation (casefolded, ASCII punctuation), so one entry covers all spellings.
"""

from __future__ import annotations

import re

from newswatch.watchlists.text.script import fold

# A line that starts with one of these introduces a link to another story.
RELATED_STORY_PREFIXES: tuple[str, ...] = (
    "baca:",
    "baca juga",
    "lihat juga",
    "simak juga",
    "read:",
    "read more",
    "read also",
    "also read",
    "related:",
    "see also:",
    "watch:",
    "lesen sie auch",
    "mehr zum thema",
    "читайте также",
    "смотрите также",
    "관련기사",
    "更多阅读",
    "相关阅读",
    "相关新闻",
    "اقرأ أيضا",
    "اقرا ايضا",
    "lea también",
    "lee también",
    "lire aussi",
    "à lire aussi",
    "xem thêm",
    "đọc thêm",
    "관련 기사",
    "関連記事",
)

# A line that starts with one of these is page furniture, not text.
FURNITURE_PREFIXES: tuple[str, ...] = (
    "scroll to continue with content",
    "scroll to resume content",
    "advertisement",
    "langganan anda berhasil",
    "tidak dapat menyimpan tanda tangan anda",
    "subscribe to our newsletter",
    "sign up for our newsletter",
    "thank you for subscribing",
    "newsletter abonnieren",
    "подпишитесь на",
)

_LINE = re.compile(
    r"[^\w\n]*(?:"
    + "|".join(re.escape(fold(prefix)) for prefix in RELATED_STORY_PREFIXES + FURNITURE_PREFIXES)
    + ")"
)


def boilerplate_lines(normalized: str) -> list[tuple[int, int]]:
    """Spans of the (normalised) lines that are related-story links or page furniture.

    The pattern is tried at line starts only (a search would try it at every
    character); a match always runs to the end of its line.
    """
    spans = []
    position = 0
    match = _LINE.match
    for line in normalized.split("\n"):
        if match(line):
            spans.append((position, position + len(line)))
        position += len(line) + 1
    return spans
