"""The query parser: recursive descent, one token of look-ahead, linear in the query.

Grammar (EBNF), loosest binding first:

    query    = or_expr END
    or_expr  = and_expr { "OR" and_expr }
    and_expr = near_expr { [ "AND" ] near_expr }        (* side by side = AND *)
    near_expr= unary { NEAR "/" n unary }               (* left to right *)
    unary    = "NOT" unary | primary
    primary  = [ FIELD ":" ] ( WORD | PHRASE | "(" or_expr ")" | atleast )
    atleast  = "atleast" "(" n "," or_expr ")"

Terms become the engine's `Pattern`s through `parse_pattern`, so a query term obeys
exactly the rules of a YAML word (stem length, no regex characters, 100 characters).
The limits keep any query cheap: the length is checked before anything is read, the
number of terms as they come, and the nesting both for the parser's own recursion
(parentheses, NOT, fields) and for the tree that evaluation walks.
"""

from __future__ import annotations

from typing import cast

from newswatch.watchlists.rules.model import FIELDS, Field
from newswatch.watchlists.rules.patterns import parse_pattern
from newswatch.watchlists.rules.query.lexer import Token, tokenize
from newswatch.watchlists.rules.query.nodes import (
    And,
    AtLeast,
    InField,
    Near,
    Node,
    Not,
    Or,
    Query,
    QueryError,
    Term,
)

MAX_QUERY_CHARS = 4_000
MAX_TERMS = 200
MAX_DEPTH = 20
MAX_ATLEAST = 100
# Terms of a query have no language of their own: ISO 639-2's "undetermined".
QUERY_LANGUAGE = "und"
_OPERAND_STARTS = frozenset({"word", "phrase", "field", "(", "NOT"})


def parse_query(text: str, line: int = 0) -> Query:
    """Parse a query; QueryError (with its column) at the first problem. `line` goes into the terms."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            MAX_QUERY_CHARS + 1,
            f"the query has {len(text):,} characters; a query may have at most {MAX_QUERY_CHARS:,} "
            "(split it into several watch-lists or rules)",
        )
    if not text.strip():
        raise QueryError(1, "the query is empty; write what to find, e.g. 'acme AND shipment*'")
    return _Parser(tokenize(text), text, line).query()


class _Parser:
    def __init__(self, tokens: list[Token], text: str, line: int) -> None:
        self.tokens = tokens
        self.text = text
        self.line = line
        self.at = 0
        self.nesting = 0
        self.field: Field | None = None
        self.terms: list[Term] = []
        self.depths: dict[int, int] = {}  # id(node) -> the height of its tree

    def query(self) -> Query:
        root = self.or_expr()
        token = self.peek()
        if token.kind == ")":
            raise QueryError(token.column, "this ')' has no '(' to close; remove it or add the '('")
        if token.kind != "end":
            raise QueryError(token.column, f"'{token.text}' is out of place here")
        _check_negations(root, inside_and=False)
        return Query(self.text, root, tuple(self.terms))

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def operator(self) -> Token:
        """Take a binary operator, which must have something to find after it."""
        token = self.take()
        if self.peek().kind not in _OPERAND_STARTS:
            raise QueryError(token.column, f"'{token.text}' needs something to find after it")
        return token

    # The hot paths read `self.tokens[self.at]` directly rather than through `peek`: a desk
    # of 100,000 queries passes here millions of times at start-up.
    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.tokens[self.at].kind == "OR":
            self.operator()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else self.joined(Or, operands)

    def and_expr(self) -> Node:
        operands = [self.near_expr()]
        while (kind := self.tokens[self.at].kind) == "AND" or kind in _OPERAND_STARTS:
            if kind == "AND":
                self.operator()
            operands.append(self.near_expr())
        return operands[0] if len(operands) == 1 else self.joined(And, operands)

    def near_expr(self) -> Node:
        left = self.unary()
        while self.tokens[self.at].kind == "NEAR":
            token = self.operator()
            right = self.unary()
            for side in (left, right):
                _require_positions(side, f"'{token.text}'")
            left = self.made(Near(left, right, token.distance, left.column), left, right)
        return left

    def unary(self) -> Node:
        token = self.tokens[self.at]
        if token.kind != "NOT":
            return self.primary()
        self.take()
        self.enter(token)
        if self.peek().kind not in _OPERAND_STARTS:
            raise QueryError(token.column, "'NOT' needs something to exclude after it")
        operand = self.unary()
        self.nesting -= 1
        return self.made(Not(operand, token.column), operand)

    def primary(self) -> Node:
        token = self.tokens[self.at]
        self.at += 1
        if token.kind == "phrase" or (token.kind == "word" and not self.starts_atleast(token)):
            return self.term(token)
        if token.kind == "word":
            return self.atleast(token)
        if token.kind == "field":
            return self.in_field(token)
        if token.kind == "(":
            self.enter(token)
            if self.peek().kind == ")":
                raise QueryError(token.column, "the parentheses hold nothing; put words between them")
            inner = self.or_expr()
            if self.take().kind != ")":
                raise QueryError(token.column, "the '(' here is never closed; add a ')'")
            self.nesting -= 1
            return inner
        if token.kind == "end":
            raise QueryError(token.column, "the query ends where a word was expected")
        if token.kind == ")":
            raise QueryError(token.column, "this ')' has no '(' to close; remove it or add the '('")
        raise QueryError(token.column, f"'{token.text}' needs something to find before it")

    def starts_atleast(self, token: Token) -> bool:
        return token.text.lower() == "atleast" and self.peek().kind == "("

    def atleast(self, token: Token) -> Node:
        self.enter(self.take())
        count = self.take()
        if not _whole(count) or not 1 <= int(count.text) <= MAX_ATLEAST:
            raise QueryError(
                count.column,
                f"atleast( needs a whole number from 1 to {MAX_ATLEAST} first, as in atleast(3, acme)",
            )
        if self.take().kind != ",":
            raise QueryError(count.column, "write a ',' after the number, as in atleast(3, acme)")
        if self.peek().kind not in _OPERAND_STARTS:
            raise QueryError(self.peek().column, "atleast( needs a word to count after the ','")
        operand = self.or_expr()
        if self.take().kind != ")":
            raise QueryError(token.column, "the 'atleast(' here is never closed; add a ')'")
        self.nesting -= 1
        _require_positions(operand, "atleast")
        return self.made(AtLeast(int(count.text), operand, token.column), operand)

    def in_field(self, token: Token) -> Node:
        if token.text.lower() not in FIELDS:
            raise QueryError(
                token.column,
                f"'{token.text}:' is not a field; the fields are title: and body: "
                "(to find a word with ':', put it in quotes)",
            )
        field = cast(Field, token.text.lower())
        if self.field is not None and self.field != field:
            raise QueryError(token.column, f"'{field}:' inside '{self.field}:' can never match; remove one")
        if self.peek().kind not in ("word", "phrase", "("):
            raise QueryError(
                token.column, f"after '{field}:' write a word, a phrase or a group in parentheses"
            )
        self.enter(token)
        outer, self.field = self.field, field
        operand = self.primary()
        self.field = outer
        self.nesting -= 1
        return self.made(InField(field, operand, token.column), operand)

    def term(self, token: Token) -> Term:
        if len(self.terms) == MAX_TERMS:
            raise QueryError(
                token.column, f"the query has more than {MAX_TERMS} terms; split it into several rules"
            )
        try:
            pattern = parse_pattern(token.text, QUERY_LANGUAGE, self.line)
        except ValueError as exc:
            raise QueryError(token.column, str(exc)) from None
        term = Term(len(self.terms), pattern, token.column)
        self.terms.append(term)
        self.depths[id(term)] = 1
        return term

    def enter(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise QueryError(token.column, _too_deep())

    def joined(self, kind: type[And] | type[Or], operands: list[Node]) -> Node:
        """Two or more operands joined by `kind`."""
        return self.made(kind(tuple(operands), operands[0].column), *operands)

    def made(self, node: Node, *children: Node) -> Node:
        """Record the node's height; refuse a tree taller than MAX_DEPTH."""
        height = 1 + max(self.depths[id(child)] for child in children)
        if height > MAX_DEPTH:
            raise QueryError(node.column, _too_deep())
        self.depths[id(node)] = height
        return node


def _whole(token: Token) -> bool:
    return token.kind == "word" and token.text.isascii() and token.text.isdigit() and len(token.text) <= 4


def _too_deep() -> str:
    return (
        f"the query nests more than {MAX_DEPTH} levels deep (parentheses, NOT, NEAR, fields); "
        "write it flatter"
    )


def _require_positions(node: Node, operator: str) -> None:
    """NEAR and atleast need mentions with a place in the text: words, phrases, OR groups, NEAR."""
    if isinstance(node, Term | Near):
        return
    if isinstance(node, InField):
        _require_positions(node.operand, operator)
    elif isinstance(node, Or):
        for operand in node.operands:
            _require_positions(operand, operator)
    else:
        kind = {And: "AND", Not: "NOT", AtLeast: "atleast"}[type(node)]
        raise QueryError(
            node.column,
            f"{operator} joins words, phrases, OR groups and NEARs, which have a place in the text; "
            f"a part with {kind} has none: move the {kind} outside",
        )


def _check_negations(node: Node, *, inside_and: bool) -> None:
    """NOT only excludes: it must be an operand of an AND that also has something to find."""
    if isinstance(node, Not):
        if not inside_and:
            raise QueryError(
                node.column,
                "NOT only excludes; join it with AND to something to find, as in 'acme AND NOT parody'",
            )
        _check_negations(node.operand, inside_and=False)
    elif isinstance(node, And):
        positive = any(not isinstance(operand, Not) for operand in node.operands)
        for operand in node.operands:
            _check_negations(operand, inside_and=positive)
    elif isinstance(node, Or):
        for operand in node.operands:
            _check_negations(operand, inside_and=False)
    elif isinstance(node, Near):
        _check_negations(node.left, inside_and=False)
        _check_negations(node.right, inside_and=False)
    elif isinstance(node, InField | AtLeast):
        _check_negations(node.operand, inside_and=False)
