"""The watch-list engine: analysts' YAML watch-lists in, scored matches with evidence out.

Pure Python, no I/O after loading: `Engine.default().match(title, body)`. The
subpackages follow the data: `rules/` reads the YAML files into the model, `text/`
folds terms and article text alike, `scoring/` matches and scores articles. `data/`
holds the packaged watch-lists.
"""

from newswatch.watchlists.rules.loader import default_watchlist_paths, load_watchlists
from newswatch.watchlists.rules.model import Hit, Watchlist, WatchlistMatch
from newswatch.watchlists.scoring.engine import Engine

__all__ = [
    "Engine",
    "Hit",
    "Watchlist",
    "WatchlistMatch",
    "default_watchlist_paths",
    "load_watchlists",
]
