"""Reading YAML nodes with their line numbers, collecting every problem instead of stopping.

Analysts edit watch-lists by hand: `newswatch watchlists check` should list all the
mistakes of a file at once, each as WatchlistError(path, line, reason) with a reason
that says what to change. The YAML is walked as a node tree (not loaded into dicts)
because only nodes know their line.

A watch-list must not be able to hurt the worker that loads it: the file's size is
capped before it is parsed, the node tree is built here from the parser's events so
that YAML anchors, aliases and merge keys are refused before anything is repeated (a
"billion laughs" file costs what its text costs), and numbers must be finite and
at most MAX_NUMBER.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.resolver import Resolver

from newswatch.errors import WatchlistError

# The largest watch-list shipped is 31 KB; 1 MiB is 30 times that and loads in about 2.5 s.
MAX_FILE_BYTES = 1024 * 1024
# Thresholds, weights and counts are small; this keeps scores far from overflowing.
MAX_NUMBER = 1_000_000
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"
_MAX_NUMBER_CHARS = 30  # longer is no number we accept; never hand int() 5,000 digits
_MAX_REFUSED = 10  # anchors and aliases listed per file; the rest are counted
# libyaml's parser when PyYAML was built with it: 13 times faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, f"a key in {what} is a list or a mapping; write it as a plain word")
                continue
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
        value = None
        if isinstance(node, yaml.ScalarNode) and node.tag in allowed_tags:
            value = _finite(node.value)
        if value is None or (whole and math.isfinite(value) and not value.is_integer()):
            shown = shorten(node.value) if isinstance(node, yaml.ScalarNode) else "a list"
            self.fail(node, f"'{what}' must be {kind}, not '{shown}'")
        elif value <= 0:
            self.fail(node, f"'{what}' must be more than 0, not {shorten(node.value)}")
        elif value > MAX_NUMBER:
            self.fail(node, f"'{what}' must be at most {MAX_NUMBER:,}, not {shorten(node.value)}")
        else:
            return value
        return None

    def items(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.fail(node, f"{what} must be a list with at least one '- ...' line")
            return []
        return list(node.value)


def line_of(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def compose(path: Path, text: str | None = None) -> tuple[yaml.Node | None, list[WatchlistError]]:
    """The file's root node, or the problems that stop it from being read at all.

    With `text`, that text is read instead of the file (a watch-list published on Kafka),
    under the same size limit; `path` then only names it in the problems.
    """
    if text is None:
        text, problem = read_text(path)
    else:
        problem = _text_too_large(path, len(text.encode()))
    if problem is not None:
        return None, [problem]
    composer = _Composer(path)
    try:
        root = composer.compose(yaml.parse(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        reason = f"this is not valid YAML ({exc.problem}); check indentation and colons"
        return None, [*composer.problems, WatchlistError(path, line, reason)]
    return (None, composer.problems) if composer.problems else (root, [])


def read_text(path: Path) -> tuple[str, WatchlistError | None]:
    """The file's text, or the problem that stops it from being read (too big, not UTF-8)."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # never more, whatever the file is
        if len(data) > MAX_FILE_BYTES:
            return "", _text_too_large(path, max(path.stat().st_size, len(data)))
        return data.decode("utf-8"), None
    except (OSError, UnicodeDecodeError) as exc:
        return "", WatchlistError(path, None, f"cannot read the file ({exc})")


def _text_too_large(path: Path, size: int) -> WatchlistError | None:
    if size <= MAX_FILE_BYTES:
        return None
    reason = (
        f"the file has {size:,} bytes; a watch-list file may have at most "
        f"{MAX_FILE_BYTES:,} (1 MiB): split it into several watch-lists"
    )
    return WatchlistError(path, None, reason)


@dataclass
class _Open:
    """A list or mapping being filled, and a mapping's key still waiting for its value."""

    node: yaml.CollectionNode
    key: yaml.Node | None = None


class _Composer:
    """Builds the node tree from the parser's events, without recursion.

    PyYAML's own composer follows an alias to the node it names; the readers would then
    read that node again at every alias, so ten nested aliases make 10**10 words. Here an
    anchor, an alias or a merge key is a problem and an alias becomes an empty value.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[WatchlistError] = []
        self._refused = 0
        self._resolve: Callable[[type[yaml.Node], str | None, Any], str] = Resolver().resolve

    def compose(self, events: Iterable[yaml.Event]) -> yaml.Node | None:
        root: yaml.Node | None = None
        documents = 0
        open_nodes: list[_Open] = []
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self._refuse(event.start_mark, "the file holds a second YAML document ('---'); keep one")
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                open_nodes.pop().node.end_mark = event.end_mark
            elif isinstance(event, yaml.NodeEvent):
                node = self._node(event)
                if open_nodes:
                    self._attach(open_nodes[-1], node)
                else:
                    root = node
                if isinstance(node, yaml.CollectionNode):
                    open_nodes.append(_Open(node))
        if self._refused > _MAX_REFUSED:
            more = self._refused - _MAX_REFUSED
            reason = f"{more} more anchors, aliases or merge keys; remove them all"
            self.problems.append(WatchlistError(self.path, None, reason))
        return root

    def _node(self, event: yaml.NodeEvent) -> yaml.Node:
        start: Any = event.start_mark  # Any: the stubs type libyaml's marks apart from PyYAML's
        end: Any = event.end_mark
        if isinstance(event, yaml.AliasEvent):
            self._refuse(
                start,
                f"'*{event.anchor}' repeats another part of the file (a YAML alias), which is not "
                "allowed; write the words out, or define a word list under 'words:' and use its name",
            )
            return yaml.ScalarNode("tag:yaml.org,2002:null", "", start, end)
        if event.anchor is not None:
            self._refuse(
                start,
                f"'&{event.anchor}' marks a part of the file to repeat (a YAML anchor), which is not "
                "allowed; remove it, and define a word list under 'words:' to use words twice",
            )
        if isinstance(event, yaml.ScalarEvent):
            tag = _explicit(event.tag) or self._resolve(yaml.ScalarNode, event.value, event.implicit)
            return yaml.ScalarNode(tag, event.value, start, end, style=event.style)
        assert isinstance(event, yaml.CollectionStartEvent)
        kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
        tag = _explicit(event.tag) or self._resolve(kind, None, event.implicit)
        return kind(tag, [], start, end, flow_style=event.flow_style)

    def _attach(self, parent: _Open, node: yaml.Node) -> None:
        if isinstance(parent.node, yaml.SequenceNode):
            parent.node.value.append(node)
        elif parent.key is None:
            if node.tag == _MERGE:
                self._refuse(
                    node.start_mark,
                    "'<<' merges another part of the file in (a YAML merge key), which is not "
                    "allowed; write the settings out",
                )
            parent.key = node
        else:
            parent.node.value.append((parent.key, node))
            parent.key = None

    def _refuse(self, mark: Any, reason: str) -> None:
        self._refused += 1
        if self._refused <= _MAX_REFUSED:
            self.problems.append(WatchlistError(self.path, mark.line + 1, reason))


def _explicit(tag: str | None) -> str | None:
    """A tag written in the file; "!" alone means "no tag, a plain string"."""
    return tag if tag not in (None, "!") else None


def _finite(raw: str) -> float | None:
    """The number a scalar tagged int or float stands for: None for .nan and non-numbers.

    Beyond _MAX_NUMBER_CHARS it is taken as too large without converting it: int() of
    thousands of digits is slow, and past 4,300 raises ValueError.
    """
    if len(raw) > _MAX_NUMBER_CHARS:
        return -math.inf if raw.lstrip().startswith("-") else math.inf
    try:
        value = yaml.safe_load(raw)  # a tag may be explicit: '!!int "x"' is not a number
        number = float(value)
    except (yaml.YAMLError, ValueError, TypeError):
        return None
    if isinstance(value, bool) or math.isnan(number):
        return None
    return number


def shorten(raw: str) -> str:
    """A value as shown in a message: a pasted page would drown the message."""
    return raw if len(raw) <= 20 else f"{raw[:20]}… ({len(raw):,} characters)"
