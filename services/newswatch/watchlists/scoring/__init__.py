"""Matching and scoring: normalised article text in, `WatchlistMatch`es with evidence out.

The last stage, run per article, pure and without I/O. `engine` compiles the
`Watchlist`s once (`compiled`: rules as sets of pattern numbers); per article it screens
the lists on their rules' first words, finds every term in one pass (`matcher`, giving
`Found` occurrences), scores each list from them (`rule_scoring`, with the proximity
queries of `nearest`), and turns the spans that scored into `Hit`s. `explain` reports
every rule's part for people; `deadline` bounds the time one article may take.
Data flows one way: matcher, then rule scoring, then evidence.
"""
