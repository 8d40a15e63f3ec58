"""A query's problem as the loader reports problems: `file:line:column: message`.

The column is the file's, so an editor jumps to the token. That is only possible when
the query sits on the line of its `query:` key as written (plain, or quoted without
escapes): otherwise YAML has changed the text on its way to the query (a folded block,
a '' or \\" escape) and the message names the line and the column in the query instead.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from newswatch.errors import WatchlistError
from newswatch.watchlists.rules.query.nodes import QueryError


class QueryProblem(WatchlistError):
    """A problem at a column of a watch-list file: the message reads `file:line:column: reason`."""

    def __init__(self, path: Path | str, line: int, column: int, reason: str) -> None:
        self.column = column
        super().__init__(path, line, reason)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def query_problem(path: Path | str, node: yaml.ScalarNode, error: QueryError) -> WatchlistError:
    """The problem a QueryError makes in the file, at the token when the column can be known."""
    line = node.start_mark.line + 1
    start = value_column(node)
    if start is None:
        return WatchlistError(path, line, f"in the query, at column {error.column}: {error.message}")
    return QueryProblem(path, line, start + error.column - 1, error.message)


def value_column(node: yaml.ScalarNode) -> int | None:
    """The 1-based file column of the value's first character, if the text is the file's verbatim."""
    if node.start_mark.line != node.end_mark.line:
        return None
    if not node.style:  # plain: the value starts where the node does
        return int(node.start_mark.column) + 1
    escapes = {"'": "'", '"': '"\\'}.get(node.style)
    if escapes is None or any(char in escapes for char in node.value):
        return None
    return int(node.start_mark.column) + 2  # after the opening quote
