"""Watch-lists shared through a compacted Kafka topic (`news.watchlists`), keyed by name.

`records` decides what one record is (a published list, a removal, or a bad record with
its reason); `catalog` decides which lists are in force (the files' overlaid by the
topic's); `topic_reader` reads the topic with a group-less consumer; `publishing` is
the command side (`newswatch watchlists publish/remove/list`). The worker's follower is
in `newswatch.tagger.watchlist_follower`.
"""
