"""newswatch: tag a stream of news articles against analysts' watch-lists."""

__version__ = "0.1.0"
