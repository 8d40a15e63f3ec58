"""The replayer: read article files and publish them, keyed by id, to the articles topic."""
