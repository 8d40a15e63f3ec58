"""The watch-list engine: analysts' YAML watch-lists in, scored matches with evidence out.

Pure Python, no I/O after loading: `Engine.default().match(title, body)`.
"""

from newswatch.watchlists.engine import Engine
from newswatch.watchlists.loader import default_watchlist_paths, load_watchlists
from newswatch.watchlists.model import Hit, Watchlist, WatchlistMatch

__all__ = [
    "Engine",
    "Hit",
    "Watchlist",
    "WatchlistMatch",
    "default_watchlist_paths",
    "load_watchlists",
]
