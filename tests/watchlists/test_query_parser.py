"""Boolean queries: the parser's tree, precedence, limits, and errors that point at a column."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newswatch.watchlists.rules.query.nodes import (
    And,
    AtLeast,
    InField,
    Near,
    Node,
    Not,
    Or,
    QueryError,
    Term,
)
from newswatch.watchlists.rules.query.parser import MAX_DEPTH, MAX_QUERY_CHARS, MAX_TERMS, parse_query
from newswatch.watchlists.rules.query.problems import query_problem
from newswatch.watchlists.rules.yaml_nodes import compose


def shape(node: Node) -> str:
    """The tree written out with every grouping explicit."""
    if isinstance(node, Term):
        return node.pattern.written
    if isinstance(node, Not):
        return f"NOT {shape(node.operand)}"
    if isinstance(node, And | Or):
        word = " AND " if isinstance(node, And) else " OR "
        return "(" + word.join(shape(operand) for operand in node.operands) + ")"
    if isinstance(node, Near):
        return f"({shape(node.left)} NEAR/{node.distance} {shape(node.right)})"
    if isinstance(node, InField):
        return f"{node.field}:{shape(node.operand)}"
    assert isinstance(node, AtLeast)
    return f"atleast({node.count}, {shape(node.operand)})"


def parsed(query: str) -> str:
    return shape(parse_query(query).root)


def error(query: str) -> QueryError:
    with pytest.raises(QueryError) as raised:
        parse_query(query)
    return raised.value


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("acme", "acme"),
        ('"Acme Dynamics"', "Acme Dynamics"),
        ("acme OR beta", "(acme OR beta)"),
        ("acme AND beta", "(acme AND beta)"),
        ("acme beta", "(acme AND beta)"),  # side by side = AND
        ("acme AND NOT beta", "(acme AND NOT beta)"),
        ("acme NOT beta", "(acme AND NOT beta)"),
        ("acme NEAR/5 beta", "(acme NEAR/5 beta)"),
        ("acme near/0 beta", "(acme NEAR/0 beta)"),
        ("title:acme", "title:acme"),
        ('body:"acme dynamics"', "body:acme dynamics"),
        ("title:(acme OR beta)", "title:(acme OR beta)"),
        ("atleast(3, acme)", "atleast(3, acme)"),
        ("ATLEAST(2, acme OR beta)", "atleast(2, (acme OR beta))"),
        ('"w5" OR "and"', "(w5 OR and)"),  # quoted, operators of any tool are words
    ],
)
def test_each_operator(query: str, tree: str) -> None:
    assert parsed(query) == tree


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        # OR is loosest, then AND (written or side by side), then NEAR, then NOT.
        ("a1 OR b1 AND c1", "(a1 OR (b1 AND c1))"),
        ("a1 AND b1 OR c1", "((a1 AND b1) OR c1)"),
        ("a1 b1 OR c1 d1", "((a1 AND b1) OR (c1 AND d1))"),
        ("a1 AND b1 NEAR/3 c1", "(a1 AND (b1 NEAR/3 c1))"),
        ("a1 OR b1 NEAR/3 c1", "(a1 OR (b1 NEAR/3 c1))"),
        ("a1 NEAR/2 b1 NEAR/4 c1", "((a1 NEAR/2 b1) NEAR/4 c1)"),  # left to right
        ("a1 AND NOT b1 OR c1", "((a1 AND NOT b1) OR c1)"),
        ("(a1 OR b1) AND c1", "((a1 OR b1) AND c1)"),
        ("(a1 OR b1) NEAR/6 (c1 OR d1)", "((a1 OR b1) NEAR/6 (c1 OR d1))"),
        ("((a1))", "a1"),
        (
            '("Acme Dynamics" OR acme*) NEAR/6 (shipment* OR deliver* OR export*) AND NOT title:parody',
            "(((Acme Dynamics OR acme*) NEAR/6 (shipment* OR deliver* OR export*)) AND NOT title:parody)",
        ),
        ("a1 AND (b1 OR (c1 AND NOT (d1 OR e1)))", "(a1 AND (b1 OR (c1 AND NOT (d1 OR e1))))"),
    ],
)
def test_precedence_and_nesting(query: str, tree: str) -> None:
    assert parsed(query) == tree


def test_terms_are_the_engines_patterns_numbered_in_order() -> None:
    query = parse_query('"Поставк* оружия" OR 北朝鮮 OR 제재* OR *sanktionen OR ACME*', line=7)
    assert [term.number for term in query.terms] == [0, 1, 2, 3, 4]
    assert [(segment.literal, segment.open_end) for segment in query.terms[0].pattern.segments] == [
        ("поставк", True),
        ("оружия", False),
    ]
    assert query.terms[1].pattern.segments[0].literal == "北朝鮮"
    assert query.terms[2].pattern.segments[0].open_end
    assert query.terms[3].pattern.segments[0].open_start
    assert query.terms[4].pattern.segments[0].literal == "acme"  # folded like YAML words
    assert {term.pattern.line for term in query.terms} == {7}
    assert [term.column for term in query.terms] == [1, 22, 29, 36, 51]


def test_curly_quotes_from_a_word_processor_make_a_phrase() -> None:
    assert parsed("\u201cacme dynamics\u201d") == "acme dynamics"


@pytest.mark.parametrize(
    ("query", "column", "says"),
    [
        ("", 1, "empty"),
        ("   ", 1, "empty"),
        ("(acme OR beta", 1, "never closed"),
        ("acme OR (beta AND (gamma)", 9, "never closed"),
        ("acme OR beta)", 13, "no '('"),
        ("()", 1, "hold nothing"),
        ("acme AND", 6, "after it"),
        ("acme OR", 6, "after it"),
        ("acme OR OR beta", 6, "after it"),
        ("AND acme", 1, "before it"),
        ("OR acme", 1, "before it"),
        ("acme (AND beta)", 7, "before it"),
        ("acme NOT", 6, "exclude"),
        ("NEAR/5 acme", 1, "before it"),
        ("acme NEAR/5", 6, "after it"),
        ("acme NEAR beta", 6, "NEAR/5"),
        ("acme NEAR5 beta", 6, "NEAR/5"),
        ("acme NEAR/x beta", 6, "NEAR/5"),
        ("acme NEAR/51 beta", 6, "from 0 to 50"),
        ("acme w/5 beta", 6, "NEAR/5"),
        ("acme pre/5 beta", 6, "NEAR/5"),
        ("acme w5 beta", 6, "NEAR/5"),
        ("acme N/5 beta", 6, "NEAR/5"),
        ("acme and beta", 6, "AND in capitals"),
        ("acme Or beta", 6, "OR in capitals"),
        ("acme & beta", 6, "AND"),
        ("acme ab*", 6, "too short"),
        ("acme 북*", 6, "too short"),
        ("acme a?me", 7, "'?'"),
        ("acme acm!", 9, "'!'"),
        ("acme -parody", 6, "NOT"),
        ("acme be[ta", 6, "regular"),
        ("acme * beta", 6, "alone"),
        ("acme ac*me", 6, "start or end"),
        ('acme "beta', 6, "never closed"),
        ('acme ""', 6, "nothing"),
        ("acme headline:beta", 6, "not a field"),
        ("acme : beta", 6, "field name"),
        ("title:(body:acme)", 8, "never match"),
        ("title: OR acme", 1, "after 'title:'"),
        ("NOT acme", 1, "NOT only excludes"),
        ("acme OR NOT beta", 9, "NOT only excludes"),
        ("NOT NOT acme AND beta", 5, "NOT only excludes"),
        ("acme NEAR/3 NOT beta", 13, "NOT"),
        ("(acme AND beta) NEAR/3 gamma", 2, "AND"),
        ("atleast(0, acme)", 9, "from 1 to 100"),
        ("atleast(acme)", 9, "whole number"),
        ("atleast(3 acme)", 9, "','"),
        ("atleast(3, acme", 1, "never closed"),
        ("atleast(2, NOT acme)", 12, "NOT"),
        ("atleast3 acme", 1, "atleast(N, word)"),
        ("a" * 101, 1, "at most 100"),
    ],
)
def test_errors_point_at_the_token(query: str, column: int, says: str) -> None:
    problem = error(query)
    assert (problem.column, says in problem.message) == (column, True), problem.message


def test_limits_on_length_terms_and_depth() -> None:
    assert error("acme " * (MAX_QUERY_CHARS // 5 + 1)).column == MAX_QUERY_CHARS + 1
    many = " OR ".join(f"t{number:03}" for number in range(MAX_TERMS + 1))
    assert "more than 200 terms" in error(many).message
    assert len(parse_query(" OR ".join(f"t{number:03}" for number in range(MAX_TERMS))).terms) == MAX_TERMS
    assert parsed("(" * MAX_DEPTH + "acme" + ")" * MAX_DEPTH) == "acme"
    assert "nests more than 20" in error("(" * (MAX_DEPTH + 1) + "acme" + ")" * (MAX_DEPTH + 1)).message
    chain = " NEAR/1 ".join(f"t{number:03}" for number in range(MAX_DEPTH + 1))
    assert "nests more than 20" in error(chain).message  # a tall tree, no parentheses
    assert "nests more than 20" in error("acme AND " + "NOT " * 30 + "beta").message


def test_hostile_queries_are_refused_quickly_without_recursion_errors() -> None:
    started = time.perf_counter()
    huge = " OR ".join(f"term{number}" for number in range(10_000))
    assert "at most 4,000" in error(huge).message
    deep = "(" * 5_000 + "acme" + ")" * 5_000
    assert "nests more than" in error(deep[:MAX_QUERY_CHARS]).message
    assert "nests more than" in error("NOT " * 900 + "acme").message
    assert time.perf_counter() - started < 0.5


def test_problem_in_a_file_points_at_the_files_column(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "name: acme\n"
        "query: '(acme OR shipment'\n"
        "plain: acme OR ab*\n"
        'double: "acme AND"\n'
        "escaped: 'it''s AND'\n"
        "block: >\n  acme AND\n"
        "literal: |  # a comment\n    acme OR\n      beta AND\n"
        "folded_plain: acme\n  OR beta AND\n"
        'backslash: "a\\tb AND"\n',
        encoding="utf-8",
    )
    root, problems = compose(path)
    assert root is not None and not problems
    messages = []
    for _key, node in root.value[1:]:
        with pytest.raises(QueryError) as raised:
            parse_query(node.value)
        messages.append(str(query_problem(path, node, raised.value, path.read_text(encoding="utf-8"))))
    assert messages == [
        f"{path}:2:9: the '(' here is never closed; add a ')'",
        f"{path}:3:16: the stem 'ab' in 'ab*' is too short and would match far too many words; "
        "write a longer stem",
        f"{path}:4:15: 'AND' needs something to find after it",
        f"{path}:5:17: 'AND' needs something to find after it",  # '' is one ' in the query
        f"{path}:7:8: 'AND' needs something to find after it",  # a block: the line below the key
        f"{path}:10:12: 'AND' needs something to find after it",
        f"{path}:12:11: 'AND' needs something to find after it",
        # An escape before the token: the file no longer says what the query says.
        f"{path}:13: in the query, at column 5: 'AND' needs something to find after it",
    ]
