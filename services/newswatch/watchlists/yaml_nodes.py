"""Reading YAML nodes with their line numbers, collecting every problem instead of stopping.

Analysts edit watch-lists by hand: `newswatch watchlists check` should list all the
mistakes of a file at once, each as WatchlistError(path, line, reason) with a reason
that says what to change. The YAML is walked as a node tree (not loaded into dicts)
because only nodes know their line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from newswatch.errors import WatchlistError

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class NodeReader:
    """Typed access to one file's YAML nodes; a bad node adds a problem and gives None."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[WatchlistError] = []

    def fail(self, node: yaml.Node | None, reason: str) -> None:
        self.problems.append(WatchlistError(self.path, line_of(node), reason))

    def mapping(self, node: yaml.Node, what: str, allowed: Sequence[str] = ()) -> dict[str, yaml.Node]:
        """The node's keys (unknown and repeated keys reported and left out)."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a list of 'key: value' lines")
            return {}
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if allowed and key not in allowed:
                self.fail(
                    key_node,
                    f"unknown setting '{key}' in {what}; check the spelling (allowed: {', '.join(allowed)})",
                )
            elif key in result:
                self.fail(key_node, f"'{key}' is given twice in {what}; keep only one")
            else:
                result[key] = value_node
        return result

    def text(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.fail(node, f"'{what}' must be a non-empty piece of text")
            return None
        # The raw scalar, not YAML's reading of it: a term "no" or "on" stays text.
        return str(node.value).strip()

    def number(self, node: yaml.Node, what: str, *, whole: bool = False) -> float | None:
        kind = "a whole number such as 3" if whole else "a number such as 1.0"
        allowed_tags = {_INT} if whole else {_INT, _FLOAT}
        if not isinstance(node, yaml.ScalarNode) or node.tag not in allowed_tags:
            shown = node.value if isinstance(node, yaml.ScalarNode) else "a list"
            self.fail(node, f"'{what}' must be {kind}, not '{shown}'")
            return None
        value = float(yaml.safe_load(node.value))
        if value <= 0:
            self.fail(node, f"'{what}' must be more than 0, not {node.value}")
            return None
        return value

    def items(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.fail(node, f"{what} must be a list with at least one '- ...' line")
            return []
        return list(node.value)


def line_of(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def compose(path: Path) -> tuple[yaml.Node | None, WatchlistError | None]:
    """The file's root node, or the one problem that stops it from being read at all."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, WatchlistError(path, None, f"cannot read the file ({exc})")
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        reason = f"this is not valid YAML ({exc.problem}); check indentation and colons"
        return None, WatchlistError(path, line, reason)
