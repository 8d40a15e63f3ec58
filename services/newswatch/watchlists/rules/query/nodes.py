"""A parsed Boolean query: an immutable tree, and the error that points at a column.

Every node keeps the 1-based column of the token it starts at, so that a later check
(the loader's, the engine's) can still say where in the query the problem is.
"""

from __future__ import annotations

from dataclasses import dataclass

from newswatch.watchlists.rules.model import Field, Pattern


class QueryError(ValueError):
    """A query that cannot be used: `column` (1-based, in the query) and what to change."""

    def __init__(self, column: int, message: str) -> None:
        self.column = column
        self.message = message
        super().__init__(f"column {column}: {message}")


@dataclass(frozen=True, slots=True)
class Term:
    """A word, a "*" stem or a quoted phrase; `number` is its place among the query's terms."""

    number: int
    pattern: Pattern
    column: int


@dataclass(frozen=True, slots=True)
class Not:
    """Excludes the article when `operand` is found; only ever an operand of `And`."""

    operand: Node
    column: int


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]
    column: int


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]
    column: int


@dataclass(frozen=True, slots=True)
class Near:
    """Both sides with at most `distance` words between them, either order, in one field."""

    left: Node
    right: Node
    distance: int
    column: int


@dataclass(frozen=True, slots=True)
class InField:
    """`title:` or `body:` before a term, phrase or group: only mentions in that field count."""

    field: Field
    operand: Node
    column: int


@dataclass(frozen=True, slots=True)
class AtLeast:
    """`atleast(N, x)`: x mentioned at least `count` times."""

    count: int
    operand: Node
    column: int


Node = Term | Not | And | Or | Near | InField | AtLeast


@dataclass(frozen=True, slots=True)
class Query:
    """A query as written, its tree, and its terms by number (what the matcher must find)."""

    text: str
    root: Node
    terms: tuple[Term, ...]
