"""A query's problem as the loader reports problems: `file:line:column: message`.

The line and column are the file's, so an editor jumps to the token, however the query
is written: on the `query:` line, quoted, or as a block (`>` or `|`) over several
lines. YAML only changes the whitespace of such a scalar (folding lines, removing the
indentation) and turns `''` into `'`, so the query's other characters are found in the
file in the same order. A double-quoted query with a `\\` escape before the token is
the one case where that fails: the message then names the `query:` line and the column
in the query.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from newswatch.errors import WatchlistError
from newswatch.watchlists.rules.query.nodes import QueryError

# YAML's line breaks (libyaml's IS_BREAK): not str.splitlines, which also splits at \v and \f.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class QueryProblem(WatchlistError):
    """A problem at a column of a watch-list file: the message reads `file:line:column: reason`."""

    def __init__(self, path: Path | str, line: int, column: int, reason: str) -> None:
        self.column = column
        super().__init__(path, line, reason)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def query_problem(
    path: Path | str, node: yaml.ScalarNode, error: QueryError, document: str
) -> WatchlistError:
    """The problem a QueryError makes in `document` (the file's text), at the token's place."""
    place = file_position(document, node, error.column - 1)
    if place is None:
        line = node.start_mark.line + 1
        return WatchlistError(path, line, f"in the query, at column {error.column}: {error.message}")
    return QueryProblem(path, place[0], place[1], error.message)


def file_position(document: str, node: yaml.ScalarNode, offset: int) -> tuple[int, int] | None:
    """The 1-based (line, column) in `document` of character `offset` of the node's value.

    Walks the value and the file together, skipping whitespace on both sides: O(offset +
    the whitespace between). For an offset at whitespace or just past the end, the place
    just after the character before it. None when the file's text cannot be followed.
    """
    value = str(node.value)
    if not 0 <= offset <= len(value):
        return None
    lines = _BREAK.split(document)
    line, column = node.start_mark.line, node.start_mark.column  # 0-based
    if node.style in ("|", ">"):
        line, column = line + 1, 0  # the header line may hold indicators and a comment
    elif node.style in ("'", '"'):
        column += 1
    last: tuple[int, int] | None = None
    for index in range(offset + 1):
        char = value[index] if index < len(value) else ""
        if not char or char.isspace():
            if index == offset:
                return None if last is None else (last[0] + 1, last[1] + 2)
            continue
        while line < len(lines) and (column >= len(lines[line]) or lines[line][column].isspace()):
            line, column = (line, column + 1) if column < len(lines[line]) else (line + 1, 0)
        if line == len(lines) or lines[line][column] != char:
            return None  # an escape: the file no longer says what the value says
        if index == offset:
            return line + 1, column + 1
        last = (line, column)
        column += 2 if char == "'" and node.style == "'" else 1  # '' stands for '
    return None
