"""Read watch-list YAML files into the model, refusing anything doubtful with its line.

Analysts edit these files by hand, so every problem is reported as
WatchlistError(path, line, reason) with a reason that says what to change. The YAML is
walked as a node tree (not loaded into dicts) because only nodes know their line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from newswatch.errors import WatchlistError
from newswatch.watchlists.model import Pattern, Term, Watchlist
from newswatch.watchlists.patterns import parse_pattern

_REQUIRED = ("name", "description", "version", "owner", "threshold", "terms")
_OPTIONAL = ("max_repeats", "exclude")
_GROUP_KEYS = ("weight", "words", "note")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_LANGUAGE = re.compile(r"[a-z]{2,3}\Z")
_DEFAULT_MAX_REPEATS = 3
_PACKAGED = ("arms_transfers.yaml", "korean_peninsula.yaml", "sanctions.yaml")


def default_watchlist_paths() -> list[Path]:
    """The watch-lists shipped with newswatch (package data)."""
    data = resources.files("newswatch.watchlists") / "data"
    return [Path(str(data / name)) for name in _PACKAGED]


def load_watchlists(paths: Sequence[Path]) -> list[Watchlist]:
    """Load and validate every file; two files may not define the same watch-list name."""
    loaded: dict[str, Watchlist] = {}
    for path in paths:
        watchlist, name_line = _load_file(Path(path))
        earlier = loaded.get(watchlist.name)
        if earlier is not None:
            raise WatchlistError(
                path,
                name_line,
                f"the watch-list name '{watchlist.name}' is already used by "
                f"{earlier.source}; give each watch-list its own name",
            )
        loaded[watchlist.name] = watchlist
    return list(loaded.values())


def _load_file(path: Path) -> tuple[Watchlist, int]:
    """The file's watch-list and the line of its name (to point at a duplicate name)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(path, None, f"cannot read the file ({exc})") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise WatchlistError(
            path, line, f"this is not valid YAML ({exc.problem}); check indentation and colons"
        ) from exc
    return _FileReader(path).watchlist(root)


@dataclass(frozen=True, slots=True)
class _FileReader:
    """Turns one file's YAML nodes into a Watchlist, failing with the node's line."""

    path: Path

    def fail(self, node: yaml.Node | None, reason: str) -> WatchlistError:
        return WatchlistError(self.path, node.start_mark.line + 1 if node else None, reason)

    def watchlist(self, root: yaml.Node | None) -> tuple[Watchlist, int]:
        if root is None:
            raise self.fail(None, "the file is empty; a watch-list needs " + ", ".join(_REQUIRED))
        fields = self.mapping(root, "the watch-list", _REQUIRED + _OPTIONAL)
        for key in _REQUIRED:
            if key not in fields:
                raise self.fail(root, f"the setting '{key}' is missing; add a line '{key}: ...'")
        name = self.text(fields["name"], "name")
        if not _NAME.match(name):
            raise self.fail(
                fields["name"],
                f"the name '{name}' may only use lower-case letters, digits and '_' "
                "(it names the watch-list in alerts), e.g. 'arms_transfers'",
            )
        max_repeats = _DEFAULT_MAX_REPEATS
        if "max_repeats" in fields:
            max_repeats = int(self.number(fields["max_repeats"], "max_repeats", whole=True))
        exclude = fields.get("exclude")
        watchlist = Watchlist(
            name=name,
            description=self.text(fields["description"], "description"),
            version=self.text(fields["version"], "version"),
            owner=self.text(fields["owner"], "owner"),
            threshold=self.number(fields["threshold"], "threshold"),
            max_repeats=max_repeats,
            terms=self.terms(fields["terms"]),
            exclusions=self.exclusions(exclude) if exclude is not None else (),
            source=self.path,
        )
        return watchlist, fields["name"].start_mark.line + 1

    def mapping(self, node: yaml.Node, what: str, allowed: Sequence[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a list of 'key: value' lines")
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if allowed and key not in allowed:
                raise self.fail(
                    key_node,
                    f"unknown setting '{key}' in {what}; check the spelling (allowed: {', '.join(allowed)})",
                )
            if key in result:
                raise self.fail(key_node, f"'{key}' is given twice in {what}; keep only one")
            result[key] = value_node
        return result

    def text(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.fail(node, f"'{what}' must be a non-empty piece of text")
        return str(node.value).strip()

    def number(self, node: yaml.Node, what: str, *, whole: bool = False) -> float:
        kind = "a whole number such as 3" if whole else "a number such as 1.0"
        allowed_tags = {"tag:yaml.org,2002:int"} | (set() if whole else {"tag:yaml.org,2002:float"})
        if not isinstance(node, yaml.ScalarNode) or node.tag not in allowed_tags:
            shown = node.value if isinstance(node, yaml.ScalarNode) else "a list"
            raise self.fail(node, f"'{what}' must be {kind}, not '{shown}'")
        value = float(yaml.safe_load(node.value))
        if value <= 0:
            raise self.fail(node, f"'{what}' must be more than 0, not {node.value}")
        return value

    def languages(self, node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        by_language = self.mapping(node, f"'{what}'", ())
        if not by_language:
            raise self.fail(node, f"'{what}' is empty; list at least one language, e.g. 'en:'")
        for language, value in by_language.items():
            if not _LANGUAGE.match(language):
                raise self.fail(
                    value,
                    f"'{language}' under '{what}' is not a language code; "
                    "use a two-letter code such as en, id, ko, ru, de, ja",
                )
        return by_language

    def terms(self, node: yaml.Node) -> tuple[Term, ...]:
        terms: list[Term] = []
        for language, groups in self.languages(node, "terms").items():
            if not isinstance(groups, yaml.SequenceNode) or not groups.value:
                raise self.fail(
                    groups,
                    f"the '{language}' terms are empty; add a group with 'weight:' and "
                    "'words:', or remove the language",
                )
            for group in groups.value:
                fields = self.mapping(group, f"a '{language}' term group", _GROUP_KEYS)
                if "weight" not in fields or "words" not in fields:
                    raise self.fail(group, "each term group needs both 'weight:' and 'words:'")
                weight = self.number(fields["weight"], "weight")
                for pattern in self.patterns(fields["words"], language, "words"):
                    terms.append(Term(pattern, weight))
        self.refuse_duplicates([term.pattern for term in terms])
        return tuple(terms)

    def exclusions(self, node: yaml.Node) -> tuple[Pattern, ...]:
        patterns: list[Pattern] = []
        for language, phrases in self.languages(node, "exclude").items():
            patterns.extend(self.patterns(phrases, language, f"exclude: {language}"))
        self.refuse_duplicates(patterns)
        return tuple(patterns)

    def patterns(self, node: yaml.Node, language: str, what: str) -> list[Pattern]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.fail(node, f"'{what}' must be a list with at least one '- phrase' line")
        patterns: list[Pattern] = []
        for item in node.value:
            # The raw scalar, not YAML's reading of it: a term "no" or "on" stays text.
            written = self.text(item, "each term")
            try:
                patterns.append(parse_pattern(written, language, item.start_mark.line + 1))
            except ValueError as exc:
                raise self.fail(item, str(exc)) from exc
        return patterns

    def refuse_duplicates(self, patterns: Sequence[Pattern]) -> None:
        first: dict[tuple[str, bool, bool], Pattern] = {}
        for pattern in patterns:
            key = (pattern.phrase, pattern.open_start, pattern.open_end)
            if key in first:
                raise WatchlistError(
                    self.path,
                    pattern.line,
                    f"'{pattern.written}' is listed twice (also on line {first[key].line}); keep only one",
                )
            first[key] = pattern
