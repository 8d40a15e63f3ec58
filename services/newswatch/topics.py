"""The one way newswatch declares a Faust topic: raw bytes in and out.

Faust's own codecs would decode a record before our code sees it, so a record that is
not JSON (or not UTF-8) would fail inside Faust and never reach a dead letter. Every
topic is declared raw instead: our stages decode what they read (`contracts.py`,
`tagger/records.py`) and keep the original bytes of what they cannot use.
"""

from __future__ import annotations

import faust
from faust.types import TopicT


def raw_topic(app: faust.App, *names: str) -> TopicT:
    """A topic object for `names` (one or more) whose keys and values are bytes as sent."""
    return app.topic(*names, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
