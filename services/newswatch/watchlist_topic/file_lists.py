"""The watch-lists of the files (NEWSWATCH_WATCHLISTS, or the packaged ones), with their hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from newswatch.watchlist_topic.catalog import FileList
from newswatch.watchlists.rules.loader import configured_watchlist_paths, load_watchlists


def load_file_lists(configured: Sequence[Path]) -> list[FileList]:
    """Load and validate the configured files (WatchlistsInvalid with every problem)."""
    watchlists = load_watchlists(configured_watchlist_paths(configured))
    # Hashed after loading: an edit in between shows as a hash of the newer text, which a
    # SIGHUP then loads; the hash only tells versions apart, it does not guard the load.
    return [FileList(item, hashlib.sha256(item.source.read_bytes()).hexdigest()) for item in watchlists]
