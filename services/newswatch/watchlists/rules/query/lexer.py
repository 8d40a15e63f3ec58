"""Cutting a query into tokens, in one pass over its characters.

Operators are written in capitals (AND, OR, NOT); NEAR/n and atleast in any case. A
lower-case "and", "or" or "not" is refused rather than guessed, and the operators of
other tools ("w/5", "pre/5", "!", "&") are refused with the spelling to use here, so a
query pasted from elsewhere never silently means something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from newswatch.watchlists.rules.query.nodes import QueryError

TokenKind = Literal["word", "phrase", "field", "(", ")", ",", "AND", "OR", "NOT", "NEAR", "end"]
# NEAR/n allows at most this many words between the two sides, as `within: N words` does.
MAX_NEAR_WORDS = 50
_QUOTES = '"\u201c\u201d\u201e'  # curly quotes come with text pasted from a word processor
_STOP = frozenset("(),:" + _QUOTES)
_NEAR = re.compile(r"near/(\d{1,3})\Z", re.IGNORECASE)
# Other tools' proximity operators: "near", "near5", "w5", "pre5", and any of these with "/n".
_NEAR_LIKE = re.compile(r"(near\d*|(w|pre)\d{1,2}|(near|w|pre|n|adj|within)/\S*)\Z", re.IGNORECASE)
_ATLEAST_N = re.compile(r"atleast(\d+)\Z", re.IGNORECASE)
_LOWER_OPERATORS = frozenset({"and", "or", "not"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    column: int  # 1-based
    distance: int = 0  # NEAR/n only


def tokenize(query: str) -> list[Token]:
    """The query's tokens, ending with an "end" token; QueryError at the first bad one."""
    tokens: list[Token] = []
    at, length = 0, len(query)
    while at < length:
        char = query[at]
        if char.isspace():
            at += 1
        elif char in "(),":
            tokens.append(Token(char, char, at + 1))  # type: ignore[arg-type]
            at += 1
        elif char in _QUOTES:
            at = _phrase(query, at, tokens)
        elif char == ":":
            raise QueryError(at + 1, "a ':' must follow a field name, as in 'title:acme'")
        else:
            end = at
            while end < length and not query[end].isspace() and query[end] not in _STOP:
                end += 1
            if end < length and query[end] == ":":
                tokens.append(Token("field", query[at:end], at + 1))
                end += 1
            else:
                tokens.append(_word(query[at:end], at + 1))
            at = end
    tokens.append(Token("end", "", length + 1))
    return tokens


def _phrase(query: str, at: int, tokens: list[Token]) -> int:
    close = next((index for index in range(at + 1, len(query)) if query[index] in _QUOTES), -1)
    if close == -1:
        raise QueryError(at + 1, "the quote opened here is never closed; add the closing '\"'")
    if not query[at + 1 : close].strip():
        raise QueryError(at + 1, "the quotes hold nothing; write a phrase between them")
    tokens.append(Token("phrase", query[at + 1 : close], at + 1))
    return close + 1


def _word(text: str, column: int) -> Token:
    if text in ("AND", "OR", "NOT"):
        return Token(text, text, column)  # type: ignore[arg-type]
    near = _NEAR.match(text)
    if near:
        distance = int(near.group(1))
        if distance > MAX_NEAR_WORDS:
            raise QueryError(
                column, f"'{text}' allows too many words between; NEAR/n takes n from 0 to {MAX_NEAR_WORDS}"
            )
        return Token("NEAR", text, column, distance)
    _refuse_foreign(text, column)
    return Token("word", text, column)


def _refuse_foreign(text: str, column: int) -> None:
    """Refuse a word that is an operator of another tool, or a mistyped one of ours."""
    lowered = text.lower()
    if lowered in _LOWER_OPERATORS:
        raise QueryError(
            column,
            f"'{text}' is ambiguous: write {lowered.upper()} in capitals for the operator, "
            f'or "{text}" in quotes to find the word',
        )
    if _NEAR_LIKE.match(text):
        raise QueryError(
            column,
            f"'{text}' is not an operator here; write NEAR/n with the number of words allowed "
            "between, as in NEAR/5 (either order)",
        )
    if _ATLEAST_N.match(text):
        raise QueryError(column, f"'{text}' is written atleast(N, word) here, as in atleast(3, acme)")
    hints = {"&": "AND", "&&": "AND", "|": "OR", "||": "OR"}
    if text in hints:
        raise QueryError(column, f"'{text}' is written {hints[text]} here")
    if "?" in text:
        raise QueryError(
            column + text.index("?"),
            "'?' (any one letter) is not supported; end the stem with '*' or OR the forms",
        )
    if "!" in text:
        raise QueryError(column + text.index("!"), "'!' is not a wildcard here; end the stem with '*'")
    if text[0] in "+-":
        raise QueryError(column, f"'{text[0]}' before a word means nothing here; use AND or NOT")
