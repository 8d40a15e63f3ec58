"""JSON Schemas of the wire contracts, generated from the pydantic models into `schemas/`."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from newswatch.contracts import (
    Alert,
    Article,
    DeadLetter,
    NotificationDeadLetter,
    PublishedWatchlist,
    SpikeEvent,
    StoryEvent,
    StoryRequest,
)

CONTRACTS: dict[str, type[BaseModel]] = {
    "article": Article,
    "alert": Alert,
    "dead_letter": DeadLetter,
    "story_event": StoryEvent,
    "spike_event": SpikeEvent,
    # Internal (between the worker's two agents), published so its shape is reviewed too.
    "story_request": StoryRequest,
    "notification_dead_letter": NotificationDeadLetter,
    "published_watchlist": PublishedWatchlist,
}


def render_schemas() -> dict[str, str]:
    """File name -> JSON text, exactly as it should stand in `schemas/`."""
    return {
        f"{name}.schema.json": json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
        for name, model in CONTRACTS.items()
    }


def stale_schemas(folder: Path) -> list[str]:
    """Names of schema files in `folder` that are missing or differ from the models."""
    return [
        name
        for name, text in render_schemas().items()
        if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text
    ]


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written
