"""Why a query matched an article or not, node by node, for `newswatch watchlists explain`.

Each node of the tree is evaluated on its own (`semantics.Evaluator`) and given a reason
a person can act on: which term was not found, which NOT excluded the article and
where, how many words apart the nearest pair of a NEAR was. Only for explaining: it
evaluates every subtree again for each node (O(depth x m log m)), which the engine's
matching path never does.
"""

from __future__ import annotations

from dataclasses import dataclass

from newswatch.watchlists.rules.model import Field
from newswatch.watchlists.rules.query.nodes import And, AtLeast, InField, Near, Node, Not, Or, Query, Term
from newswatch.watchlists.rules.query.semantics import Evaluator, Mention, NodeValue, nearest_gap

MAX_SHOWN_CHARS = 80


@dataclass(frozen=True, slots=True)
class NodeReason:
    """One node of the query: as written, whether it holds, why, and the mentions behind that.

    `holds` is what the node contributes: for a NOT, that its operand was *not* found.
    """

    depth: int
    written: str
    holds: bool
    reason: str
    evidence: tuple[Mention, ...]


def reasons(query: Query, mentions: list[Mention]) -> tuple[NodeReason, ...]:
    """Every node of the query, in reading order (a node before its operands)."""
    by_term: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_term.setdefault(mention.term, []).append(mention)
    evaluator = Evaluator(by_term)
    found: list[NodeReason] = []
    _walk(query.root, None, 0, evaluator, found)
    return tuple(found)


def _walk(node: Node, field: Field | None, depth: int, evaluator: Evaluator, out: list[NodeReason]) -> None:
    if isinstance(node, Not):
        value = evaluator.value(node.operand, field)
        reason = "found: the article is excluded" if value.matched else "not found: nothing excluded"
        out.append(NodeReason(depth, written(node), not value.matched, reason, value.evidence))
        children: tuple[Node, ...] = (node.operand,)
    else:
        value = evaluator.value(node, field)
        out.append(
            NodeReason(
                depth,
                written(node),
                value.matched,
                _reason(node, field, value, evaluator),
                _shown(node, value),
            )
        )
        children = _operands(node)
    inner = node.field if isinstance(node, InField) else field
    for child in children:
        _walk(child, inner, depth + 1, evaluator, out)


def _reason(node: Node, field: Field | None, value: NodeValue, evaluator: Evaluator) -> str:
    where = f" in the {field}" if field else ""
    if isinstance(node, Term):
        count = len(value.windows)
        return f"found {_times(count)}{where}" if count else f"not found{where}"
    if isinstance(node, InField):
        return (
            f"{_mentions(len(value.windows))} in the {node.field}"
            if value.matched
            else f"none in the {node.field}"
        )
    if isinstance(node, Or):
        return _mentions(len(value.windows)) if value.matched else "none of these found"
    if isinstance(node, AtLeast):
        count = len(evaluator.value(node.operand, field).windows)
        return f"{_mentions(count)}, needs at least {node.count}"
    if isinstance(node, Near):
        return _near_reason(node, field, value, evaluator)
    assert isinstance(node, And)
    if value.matched:
        return "every part holds"
    for operand in node.operands:
        if isinstance(operand, Not):
            if evaluator.value(operand.operand, field).matched:
                return f"excluded by {_short(written(operand))}"
        elif not evaluator.value(operand, field).matched:
            return f"{_short(written(operand))} does not hold"
    return "does not hold"


def _near_reason(node: Near, field: Field | None, value: NodeValue, evaluator: Evaluator) -> str:
    allowed = f"NEAR/{node.distance} allows {node.distance} word{'s' if node.distance != 1 else ''} between"
    if value.matched:
        return f"{_count(len(value.windows), 'pair')} close enough ({allowed})"
    left, right = evaluator.value(node.left, field), evaluator.value(node.right, field)
    missing = [written(side) for side, found in ((node.left, left), (node.right, right)) if not found.matched]
    if missing:
        return " and ".join(_short(text) for text in missing) + " not found"
    gap = nearest_gap(left.windows, right.windows)
    if gap is None:
        return "both sides found, but never in the same field (title and body are apart)"
    return f"too far: the nearest pair has {_count(gap, 'word')} between; {allowed}"


def _operands(node: Node) -> tuple[Node, ...]:
    if isinstance(node, And | Or):
        return node.operands
    if isinstance(node, Near):
        return node.left, node.right
    if isinstance(node, InField | AtLeast | Not):
        return (node.operand,)
    return ()


def _shown(node: Node, value: NodeValue) -> tuple[Mention, ...]:
    """The mentions shown under a node: a term's own, a NEAR's pairs (the rest show their operands')."""
    return value.evidence if isinstance(node, Term | Near) and value.matched else ()


def written(node: Node) -> str:
    """The node as it could be written in a query (quotes and parentheses where needed)."""
    if isinstance(node, Term):
        text = node.pattern.written
        return f'"{text}"' if any(char.isspace() for char in text) else text
    if isinstance(node, Not):
        return f"NOT {_grouped(node.operand)}"
    if isinstance(node, And):
        return " AND ".join(_grouped(operand) for operand in node.operands)
    if isinstance(node, Or):
        return " OR ".join(_grouped(operand) for operand in node.operands)
    if isinstance(node, Near):
        return f"{_grouped(node.left)} NEAR/{node.distance} {_grouped(node.right)}"
    if isinstance(node, InField):
        return f"{node.field}:{_grouped(node.operand)}"
    return f"atleast({node.count}, {written(node.operand)})"


def _grouped(node: Node) -> str:
    return f"({written(node)})" if isinstance(node, And | Or | Near) else written(node)


def _short(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "\u2026"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _mentions(number: int) -> str:
    return _count(number, "mention")


def _times(number: int) -> str:
    return "once" if number == 1 else f"{number} times"
