"""The rule part of a watch-list file: word lists, rules and exclusions, checked line by line."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import cast

import yaml

from newswatch.errors import WatchlistError
from newswatch.watchlists.rules.budget import WordBudget
from newswatch.watchlists.rules.model import FieldScope, Pattern, Rule, Scope, TermSet
from newswatch.watchlists.rules.patterns import parse_pattern
from newswatch.watchlists.rules.yaml_nodes import NodeReader, line_of, shorten

_RULE_KEYS = (
    "name",
    "weight",
    "any",
    "all",
    "none",
    "within",
    "min_mentions",
    "max_repeats",
    "field",
    "note",
)
_LANGUAGE = re.compile(r"[a-z]{2,3}\Z")
_LIST_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_WITHIN = re.compile(r"(\d{1,9}) words?\Z")  # bounded: int() of 5,000 digits raises
_MAX_WORDS = 50
_FIELDS = ("title", "body", "any")


class RulesReader(NodeReader):
    """Reads `words`, `rules` and `exclude`; problems are collected, not raised."""

    def __init__(self, path: Path, budget: WordBudget | None = None) -> None:
        super().__init__(path)
        self.word_sets: dict[str, TermSet] = {}
        self.broken_lists: set[str] = set()
        self.budget = budget if budget is not None else WordBudget()

    def spend(self, node: yaml.Node, words: int, uses: int) -> bool:
        """False when the words would pass a limit (reported once, on the file and line that did)."""
        return self._within(node, self.budget.spend(words, uses))

    def spend_query(self, node: yaml.Node, terms: Sequence[Hashable]) -> bool:
        """False when a query's terms (by what each finds) would pass a limit, as `spend`."""
        return self._within(node, self.budget.spend_query(terms))

    def _within(self, node: yaml.Node, reason: str | None) -> bool:
        if reason is not None:
            self.fail(node, reason)
        return not self.budget.spent

    def word_lists(self, node: yaml.Node) -> None:
        for name, value in self.mapping(node, "'words'").items():
            if not _LIST_NAME.match(name):
                self.fail(
                    value, f"the word-list name '{name}' may only use lower-case letters, digits and '_'"
                )
                continue
            term_set = self.term_set(value, f"the word list '{name}'", label=name, used=False)
            if term_set is None:
                self.broken_lists.add(name)  # already reported; rules using it stay quiet
            else:
                self.word_sets[name] = term_set

    def rules(self, node: yaml.Node, max_repeats: int) -> tuple[Rule, ...]:
        rules: list[Rule] = []
        first_line: dict[str, int | None] = {}
        for item in self.items(node, "'rules'"):
            rule = self.rule(item, max_repeats)
            if rule is None:
                continue
            if rule.name in first_line:
                self.fail(
                    item,
                    f"the rule name '{rule.name}' is used twice (also on line "
                    f"{first_line[rule.name]}); give each rule its own name",
                )
                continue
            first_line[rule.name] = rule.line
            rules.append(rule)
        return tuple(rules)

    def rule(self, node: yaml.Node, max_repeats: int) -> Rule | None:
        fields = self.mapping(node, "a rule", _RULE_KEYS)
        if not fields:
            return None
        name = self.text(fields["name"], "name") if "name" in fields else None
        if "name" not in fields:
            self.fail(node, "each rule needs a 'name:' line that says what it looks for")
        what = f"the rule '{name}'" if name else "this rule"
        weight = self.number(fields["weight"], "weight") if "weight" in fields else None
        if "weight" not in fields:
            self.fail(node, f"{what} needs a 'weight:' line, e.g. 'weight: 1.0'")
        parts = self.parts(node, fields, what)
        none = self.group(fields["none"], f"'none' of {what}") if "none" in fields else None
        within = self.within(fields["within"]) if "within" in fields else Scope("sentence")
        min_mentions = self.whole(fields.get("min_mentions"), "min_mentions", 1)
        repeats = self.whole(fields.get("max_repeats"), "max_repeats", max_repeats)
        field = self.field(fields.get("field"))
        if name is None or weight is None or parts is None or within is None or field is None:
            return None
        if "none" in fields and none is None:
            return None
        return Rule(name, weight, parts, within, none, min_mentions, repeats, field, line_of(node) or 0)

    def parts(self, node: yaml.Node, fields: dict[str, yaml.Node], what: str) -> tuple[TermSet, ...] | None:
        if ("any" in fields) == ("all" in fields):
            self.fail(
                node,
                f"{what} needs exactly one of 'any:' (one of these words) or 'all:' (each of these groups)",
            )
            return None
        if "any" in fields:
            group = self.group(fields["any"], f"'any' of {what}")
            return (group,) if group is not None else None
        items = self.items(fields["all"], f"'all' of {what}")
        if len(items) == 1:
            self.fail(
                fields["all"],
                f"'all' of {what} has one group; use 'any:' for one group, "
                "or add the group that must appear with it",
            )
            return None
        groups = [self.group(item, f"'all' of {what}") for item in items]
        if not items or any(group is None for group in groups):
            return None
        return tuple(cast(list[TermSet], groups))

    def group(self, node: yaml.Node, what: str) -> TermSet | None:
        """A word-list name, a list of names, or words per language written in place."""
        if isinstance(node, yaml.MappingNode):
            return self.term_set(node, what)
        names = [node] if isinstance(node, yaml.ScalarNode) else self.items(node, what)
        patterns: list[Pattern] = []
        labels: list[str] = []
        for name_node in names:
            name = self.text(name_node, what)
            if name is None:
                return None
            if name in self.broken_lists:
                return None
            if name not in self.word_sets:
                known = ", ".join(sorted(self.word_sets)) or "none yet"
                self.fail(
                    name_node,
                    f"{what} uses the word list '{name}', which is not defined "
                    f"under 'words:' (defined: {known})",
                )
                return None
            if not self.spend(name_node, 0, len(self.word_sets[name].patterns)):
                return None
            patterns.extend(self.word_sets[name].patterns)
            labels.append(name)
        return TermSet(tuple(patterns), " + ".join(labels)) if patterns else None

    def term_set(
        self, node: yaml.Node, what: str, label: str = "inline", *, used: bool = True
    ) -> TermSet | None:
        """Words per language; `used` is False for a word list defined under `words:`."""
        by_language = self.mapping(node, what)
        if isinstance(node, yaml.MappingNode) and not by_language:
            self.fail(node, f"{what} is empty; list words under a language code, e.g. 'en:'")
        patterns: list[Pattern] = []
        count = len(self.problems)
        for language, terms in by_language.items():
            if not _LANGUAGE.match(language):
                self.fail(
                    terms,
                    f"'{language}' in {what} is not a language code; use a two-letter "
                    "code such as en, id, ko, ru, zh, ja, ar, es, fr, de, vi",
                )
                continue
            items = self.items(terms, f"the '{language}' words of {what}")
            if not self.spend(terms, len(items), len(items) if used else 0):
                return None
            for item in items:
                written = self.text(item, "each word")
                if written is None:
                    continue
                try:
                    patterns.append(parse_pattern(written, language, line_of(item) or 0))
                except ValueError as exc:
                    self.fail(item, str(exc))
        self.refuse_duplicates(patterns)
        return TermSet(tuple(patterns), label) if len(self.problems) == count and patterns else None

    def refuse_duplicates(self, patterns: list[Pattern]) -> None:
        # Per language: Chinese and Japanese (or English and Spanish) share many words.
        first: dict[object, Pattern] = {}
        for pattern in patterns:
            key = (pattern.language, pattern.key)
            if key in first:
                also = first[key].line
                reason = f"'{pattern.written}' is listed twice (also on line {also}); keep only one"
                self.problems.append(WatchlistError(self.path, pattern.line, reason))
            else:
                first[key] = pattern

    def within(self, node: yaml.Node) -> Scope | None:
        value = str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""
        if value == "sentence":
            return Scope("sentence")
        if value == "article":
            return Scope("article")
        words = _WITHIN.match(value) or re.fullmatch(r"(\d{1,9})", value)
        if words and 1 <= int(words.group(1)) <= _MAX_WORDS:
            return Scope("words", int(words.group(1)))
        self.fail(
            node,
            f"'within' must be 'sentence', 'article' or a number of words from 1 to "
            f"{_MAX_WORDS} such as '5 words', not '{shorten(value) or 'a list'}'",
        )
        return None

    def whole(self, node: yaml.Node | None, what: str, default: int) -> int:
        if node is None:
            return default
        value = self.number(node, what, whole=True)
        return int(value) if value is not None else default

    def field(self, node: yaml.Node | None) -> FieldScope | None:
        if node is None:
            return "any"
        value = str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""
        if value in _FIELDS:
            return cast(FieldScope, value)
        self.fail(node, f"'field' must be title, body or any, not '{shorten(value) or 'a list'}'")
        return None
