"""Many distinct articles for fault tests: some match watch-lists, most do not."""

from __future__ import annotations

import json
import random
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


# Distinct stories: every body is its own text (word 3-grams shared by two of them are
# rare), so that none is a copy of another; the first paragraph makes it match a watch-list.
_TOPICS = {
    "korean_peninsula": (
        "North Korea fired {k} ballistic missiles into the sea off its east coast {day}, the South "
        "Korean military said, in what analysts in {place} called a {adj} show of force.",
        "Pyongyang staged a {adj} artillery drill near the inter-Korean border {day}, and Seoul put "
        "its troops on alert, officials in {place} said.",
        "Kim Jong Un oversaw the {adj} test of a new missile engine {day}, North Korean state media "
        "reported, a launch watched closely by {k} observers in {place}.",
    ),
    # Matches sanctions and korean_peninsula: one article, two watch-lists.
    "sanctions": (
        "The UN Security Council imposed {adj} sanctions on North Korea {day} over its missile "
        "programme, freezing the assets of {k} trading firms registered in {place}.",
    ),
}
_SUBJECTS = (
    "the harbour board", "a farmers' cooperative", "the regional water company", "local fishermen",
    "a group of teachers", "the provincial weather office", "a hospital spokeswoman", "the rail operator",
    "shopkeepers along the coast road", "the ferry company", "a university research team",
    "the county planning office", "residents of the old quarter", "the bus drivers' union",
    "a small textile mill", "the tourism bureau", "the port pilots", "a family-run bakery",
    "the river authority", "volunteer firefighters", "the chamber of commerce", "a youth orchestra",
    "the city library", "mountain rescue crews", "the airport operator", "a local brewery",
    "the forestry service", "rice growers", "the power utility", "a hotel chain",
)  # fmt: skip
_VERBS = (
    "postponed", "reported", "announced", "cancelled", "welcomed", "questioned", "reviewed", "counted",
    "delayed", "planned", "expanded", "repaired", "inspected", "organised", "described", "doubled",
    "recorded", "praised", "measured", "closed", "reopened", "moved", "shared", "filed", "painted",
    "restored", "rebuilt", "tested",
)  # fmt: skip
_OBJECTS = (
    "its spring timetable", "the annual harvest fair", "two ageing footbridges", "a new visitor centre",
    "the evening ferry service", "record numbers of tourists", "a shortage of seasonal workers",
    "the cost of fuel", "plans for a cycle path", "the fish market's opening hours", "a backlog of repairs",
    "the winter schedule", "water levels in the reservoir", "a drop in rainfall", "the price of cabbages",
    "an outdoor concert series", "the school lunch menu", "traffic on the coastal highway",
    "the town's oldest lighthouse", "a shipment of fertiliser", "the local football pitch",
    "rents in the harbour district", "a pilot recycling scheme", "late trains", "the weekly night market",
    "an exhibition of old maps", "noise complaints", "the village post office",
)  # fmt: skip
_PLACES = (
    "Gangneung", "Sokcho", "Mokpo", "Yeosu", "Tongyeong", "Andong", "Jeonju", "Gyeongju", "Pohang",
    "Chuncheon", "Suncheon", "Gunsan", "Boryeong", "Samcheok", "Jecheon", "Namwon", "Geoje", "Gimhae",
    "Iksan", "Wonju",
)  # fmt: skip
_DAYS = ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "over the weekend",
         "last week", "this morning")  # fmt: skip
_REASONS = (
    "after a long dispute", "citing the weather", "to the surprise of many", "despite strong objections",
    "following a public meeting", "as costs kept rising", "after months of talks", "in a brief statement",
    "according to local media", "amid complaints from visitors", "with little warning",
    "for the third time this year",
)  # fmt: skip
_ADJECTIVES = (
    "fresh", "rare", "sudden", "large", "brief", "noisy", "late-night", "second", "carefully staged",
    "unusual",
)  # fmt: skip


def distinct_story(n: int, topic: str = "korean_peninsula") -> tuple[str, str]:
    """(title, body) of story `n`: a first paragraph on `topic` (a key of `_TOPICS`), then
    four paragraphs of local news drawn at random (seeded by `n` and `topic`)."""
    rng = random.Random(f"{topic}-{n}")
    place = rng.choice(_PLACES)
    first = rng.choice(_TOPICS[topic]).format(
        k=rng.randint(2, 90), day=rng.choice(_DAYS), adj=rng.choice(_ADJECTIVES), place=place
    )
    paragraphs = [first]
    for _ in range(4):
        paragraphs.append(" ".join(_local_sentence(rng) for _ in range(3)))
    return f"{place} report {n}: {first.split(',')[0]}", "\n".join(paragraphs)


def _local_sentence(rng: random.Random) -> str:
    subject, verb, thing = rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS)
    where, when, why, k = rng.choice(_PLACES), rng.choice(_DAYS), rng.choice(_REASONS), rng.randint(3, 990)
    shape = rng.randrange(3)
    if shape == 0:
        return f"In {where}, {subject} {verb} {thing} {when} {why}, and {k} people signed up."
    if shape == 1:
        return f"{why.capitalize()}, {subject} of {where} {verb} {thing}, a cost of {k} thousand won."
    return f"{k} residents saw how {subject} {verb} {thing} {when}; {where} was quiet {why}."


def syndicated_copies(title: str, body: str) -> dict[str, tuple[str, str]]:
    """The copies outlets make of (`title`, `body`), by edit: re-headlined, with a dateline,
    with a byline and a credit line, trimmed to its first paragraphs."""
    paragraphs = body.split("\n")
    return {
        "reheadlined": (f"WRAPUP: {title.upper()}", body),
        "dateline": (title, "\n".join([f"SEOUL, May 4 (Wire) - {paragraphs[0]}", *paragraphs[1:]])),
        "byline": (
            title,
            "\n".join(["By Min-ji Park", *paragraphs, "Reporting by Min-ji Park; editing by Tom Ward"]),
        ),
        "trimmed": (title, "\n".join(paragraphs[: (len(paragraphs) + 1) // 2])),
    }
