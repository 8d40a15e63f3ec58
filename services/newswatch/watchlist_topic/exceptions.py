"""Errors of the watch-lists topic: a record nobody can use, a name not on the topic, a
publish past the limits of what one worker holds."""

from __future__ import annotations

from newswatch.errors import NewswatchError


class BadWatchlistRecord(NewswatchError):
    """A record of the watch-lists topic that is not a usable watch-list or removal.

    Carries where it is (`topic`, `partition`, `offset`), its `key` as text (or None) and
    the `reason` in words; the worker logs and counts it and keeps the lists it had.
    """

    def __init__(self, topic: str, partition: int, offset: int, key: str | None, reason: str) -> None:
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.reason = reason
        shown = repr(key) if key is not None else "no key"
        super().__init__(f"{topic} partition {partition} offset {offset} (key {shown}): {reason}")


class NotOnTopic(NewswatchError):
    """`newswatch watchlists remove` of names the topic does not hold (nothing was removed)."""

    def __init__(self, topic: str, names: list[str], published: list[str]) -> None:
        self.names = names
        listed = ", ".join(published) or "none"
        super().__init__(
            f"not on {topic}: {', '.join(names)}; nothing was removed (published there: {listed}). "
            "A list that comes from a file is removed by editing NEWSWATCH_WATCHLISTS."
        )


class OverLimits(NewswatchError):
    """`newswatch watchlists publish` of lists the workers would refuse: with the lists on
    the topic they would pass a limit of what one worker holds (nothing was published)."""

    def __init__(self, topic: str, refused: list[tuple[str, str]]) -> None:
        self.refused = refused
        reasons = "; ".join(f"{name}: {reason}" for name, reason in refused)
        super().__init__(
            f"not published to {topic}, the workers would refuse it: {reasons}. Remove lists from "
            "the topic (newswatch watchlists remove) or split the desk between groups of workers"
        )
