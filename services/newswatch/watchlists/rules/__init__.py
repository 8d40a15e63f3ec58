"""Reading the rules: analysts' watch-list YAML files in, a validated `Watchlist` model out.

The first stage, run once at start-up and on reload, never per article. `loader` reads
each file through `yaml_nodes` (a node tree with line numbers, hostile YAML refused)
and `reader` (word lists, rules and exclusions), turning each term into a `Pattern`
with `patterns`; every problem comes back as `WatchlistError(path, line, reason)`.
Out come `Watchlist`s (`model`), which `scoring` compiles; terms are folded by `text`
exactly as article text is.
"""
