"""Cutting a query into tokens, in one pass over its characters.

Operators are written in capitals (AND, OR, NOT); NEAR/n and atleast in any case. A
lower-case "and", "or" or "not" is refused rather than guessed, and the operators of
other tools ("w/5", "pre/5", "!", "&") are refused with the spelling to use here, so a
query pasted from elsewhere never silently means something else.

A desk reads 100,000 queries at start-up, so each token is found by one regular
expression (in C) rather than character by character, and what a word is (a term, an
operator, a mistake) is decided once per spelling.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, NamedTuple

from newswatch.watchlists.rules.query.nodes import QueryError

TokenKind = Literal["word", "phrase", "field", "(", ")", ",", "AND", "OR", "NOT", "NEAR", "end"]
# NEAR/n allows at most this many words between the two sides, as `within: N words` does.
MAX_NEAR_WORDS = 50
_QUOTES = '"\u201c\u201d\u201e'  # curly quotes come with text pasted from a word processor
# The tokens, in order; what lies between them is whitespace (str.isspace's, which is
# \s's), since every other character starts one: a bracket or comma (group 1); a phrase
# (2) with its closing quote (3, empty when none closes it); a ':' with no field name
# (4); a word up to whitespace or one of those (5) with the ':' that makes it a field
# name (6, empty when none).
_TOKENS = re.compile(rf"([(),])|[{_QUOTES}]([^{_QUOTES}]*)([{_QUOTES}]?)|(:)|([^\s(),:{_QUOTES}]+)(:?)")
_NEAR = re.compile(r"near/(\d{1,3})\Z", re.IGNORECASE)
# Other tools' proximity operators: "near", "near5", "w5", "pre5", and any of these with "/n".
_NEAR_LIKE = re.compile(r"(near\d*|(w|pre)\d{1,2}|(near|w|pre|n|adj|within)/\S*)\Z", re.IGNORECASE)
_ATLEAST_N = re.compile(r"atleast(\d+)\Z", re.IGNORECASE)
_LOWER_OPERATORS = frozenset({"and", "or", "not"})


class Token(NamedTuple):
    """A named tuple, not a frozen dataclass: 100,000 queries are two million tokens."""

    kind: TokenKind
    text: str
    column: int  # 1-based
    distance: int = 0  # NEAR/n only


def tokenize(query: str) -> list[Token]:
    """The query's tokens, ending with an "end" token; QueryError at the first bad one."""
    tokens: list[Token] = []
    for found in _TOKENS.finditer(query):
        group, column = found.lastindex, found.start() + 1
        if group == 1:
            tokens.append(Token(found[1], found[1], column))  # type: ignore[arg-type]
        elif group == 3:
            tokens.append(_phrase(found[2], found[3], column))
        elif group == 4:
            raise QueryError(column, "a ':' must follow a field name, as in 'title:acme'")
        elif found[6]:
            tokens.append(Token("field", found[5], column))
        else:
            tokens.append(_word(found[5], column))
    tokens.append(Token("end", "", len(query) + 1))
    return tokens


def _phrase(text: str, closing: str, column: int) -> Token:
    if not closing:
        raise QueryError(column, "the quote opened here is never closed; add the closing '\"'")
    if not text.strip():
        raise QueryError(column, "the quotes hold nothing; write a phrase between them")
    return Token("phrase", text, column)


def _word(text: str, column: int) -> Token:
    try:
        kind, distance = _word_kind(text)
    except QueryError as error:  # its column is in the word: place it in the query
        raise QueryError(column + error.column - 1, error.message) from None
    return Token(kind, text, column, distance)


# A desk's queries write the same words and operators again and again; each spelling is
# judged once. Bounded, as a worker reloads for months; refusals are raised, never cached.
@lru_cache(maxsize=1 << 16)
def _word_kind(text: str) -> tuple[TokenKind, int]:
    """What the word is (and a NEAR's distance); QueryError with the column in the word."""
    if text in ("AND", "OR", "NOT"):
        return text, 0  # type: ignore[return-value]
    near = _NEAR.match(text)
    if near:
        distance = int(near.group(1))
        if distance > MAX_NEAR_WORDS:
            raise QueryError(
                1, f"'{text}' allows too many words between; NEAR/n takes n from 0 to {MAX_NEAR_WORDS}"
            )
        return "NEAR", distance
    _refuse_foreign(text)
    return "word", 0


def _refuse_foreign(text: str) -> None:
    """Refuse a word that is an operator of another tool, or a mistyped one of ours (the
    QueryError's column is in the word)."""
    column = 1
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
