"""Many distinct articles for fault tests: some match watch-lists, most do not."""

from __future__ import annotations

import json
from pathlib import Path

_MATCHING = (
    (
        "UN extends sanctions on North Korea ({n})",
        "The UN Security Council extended sanctions on North Korea over its missile programme, "
        "diplomats said on day {n}. The measures freeze assets of {n} firms.",
    ),
    (
        "Government approves delivery of howitzers to allies ({n})",
        "The defence ministry approved the export of {n} howitzers and ammunition to a neighbouring "
        "country, the latest arms deliveries under a military aid package.",
    ),
)
_PLAIN = (
    "City council debates bus timetable ({n})",
    "Council members discussed {n} proposals for the new bus timetable and a bike lane on Main Street. "
    "A vote is expected next month after residents have had their say.",
)


def write_articles(path: Path, count: int, prefix: str) -> list[str]:
    """Write `count` articles as JSON lines (one in three matches); return their ids in order."""
    ids = []
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            title, body = _MATCHING[n % 2] if n % 3 == 0 else _PLAIN
            article_id = f"{prefix}-{n:06d}"
            ids.append(article_id)
            record = {
                "id": article_id,
                "title": title.format(n=n),
                "body": body.format(n=n),
                "language": "en",
            }
            out.write(json.dumps(record) + "\n")
    return ids
