"""Read watch-list YAML files into the model, reporting every problem with its line.

`check_watchlists` returns all problems of all files (for `newswatch watchlists
check`); `load_watchlists` raises WatchlistsInvalid carrying all of them, so the
worker refuses to start with the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import yaml

from newswatch.errors import WatchlistError, WatchlistsInvalid
from newswatch.watchlists.rules.model import TermSet, Watchlist
from newswatch.watchlists.rules.reader import RulesReader, WordBudget
from newswatch.watchlists.rules.yaml_nodes import compose, line_of

_REQUIRED = ("name", "description", "version", "owner", "threshold", "rules")
_OPTIONAL = ("max_repeats", "words", "exclude")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_DEFAULT_MAX_REPEATS = 3
_PACKAGED = ("arms_transfers.yaml", "korean_peninsula.yaml", "sanctions.yaml")


def default_watchlist_paths() -> list[Path]:
    """The watch-lists shipped with newswatch (package data)."""
    data = resources.files("newswatch.watchlists") / "data"
    return [Path(str(data / name)) for name in _PACKAGED]


def configured_watchlist_paths(configured: Sequence[Path]) -> list[Path]:
    """The files of NEWSWATCH_WATCHLISTS, or the packaged ones when none are set."""
    return list(configured) or default_watchlist_paths()


def load_watchlists(paths: Sequence[Path]) -> list[Watchlist]:
    """Load and validate every file; raise WatchlistsInvalid listing every problem."""
    watchlists, problems = _read_all(paths)
    if problems:
        raise WatchlistsInvalid(problems)
    return watchlists


def check_watchlists(paths: Sequence[Path]) -> list[WatchlistError]:
    """Every problem in the given files, in file and line order (empty when all is well)."""
    return _read_all(paths)[1]


def read_watchlist_text(where: Path, text: str) -> Watchlist:
    """One watch-list from its YAML text (a published one), checked as a file would be;
    raise WatchlistsInvalid listing every problem, each as `where:line: message`."""
    watchlist, _, problems = _read_file(where, WordBudget(), text)
    if problems or watchlist is None:
        raise WatchlistsInvalid(problems or [WatchlistError(where, None, "no watch-list in the text")])
    return watchlist


def _read_all(paths: Sequence[Path]) -> tuple[list[Watchlist], list[WatchlistError]]:
    loaded: dict[str, Watchlist] = {}
    problems: list[WatchlistError] = []
    budget = WordBudget()
    for path in map(Path, paths):
        if budget.spent:
            break  # reported on the file that passed the limit
        watchlist, name_line, file_problems = _read_file(path, budget)
        problems.extend(file_problems)
        if watchlist is None:
            continue
        earlier = loaded.get(watchlist.name)
        if earlier is not None:
            problems.append(
                WatchlistError(
                    path,
                    name_line,
                    f"the watch-list name '{watchlist.name}' is already used by "
                    f"{earlier.source}; give each watch-list its own name",
                )
            )
            continue
        loaded[watchlist.name] = watchlist
    return list(loaded.values()), problems


def _read_file(
    path: Path, budget: WordBudget, text: str | None = None
) -> tuple[Watchlist | None, int | None, list[WatchlistError]]:
    root, problems = compose(path, text)
    if problems:
        return None, None, problems
    reader = RulesReader(path, budget)
    if root is None:
        reader.fail(None, "the file is empty; a watch-list needs " + ", ".join(_REQUIRED))
        return None, None, reader.problems
    fields = reader.mapping(root, "the watch-list", _REQUIRED + _OPTIONAL)
    for key in _REQUIRED:
        if key not in fields and isinstance(root, yaml.MappingNode):
            reader.fail(root, f"the setting '{key}' is missing; add a line '{key}: ...'")
    name = _name(reader, fields.get("name"))
    texts = {
        key: reader.text(fields[key], key) for key in ("description", "version", "owner") if key in fields
    }
    threshold = reader.number(fields["threshold"], "threshold") if "threshold" in fields else None
    max_repeats = _DEFAULT_MAX_REPEATS
    if "max_repeats" in fields:
        max_repeats = int(reader.number(fields["max_repeats"], "max_repeats", whole=True) or max_repeats)
    if "words" in fields:
        reader.word_lists(fields["words"])
    rules = reader.rules(fields["rules"], max_repeats) if "rules" in fields else ()
    exclusions: TermSet | None = None
    if "exclude" in fields:
        exclusions = reader.term_set(fields["exclude"], "exclude")
    if reader.problems or name is None or threshold is None:
        return None, None, reader.problems
    watchlist = Watchlist(
        name=name,
        description=texts.get("description") or "",
        version=texts.get("version") or "",
        owner=texts.get("owner") or "",
        threshold=threshold,
        rules=rules,
        exclusions=exclusions,
        source=path,
    )
    return watchlist, line_of(fields["name"]), []


def _name(reader: RulesReader, node: yaml.Node | None) -> str | None:
    if node is None:
        return None
    name = reader.text(node, "name")
    if name is not None and not _NAME.match(name):
        reader.fail(
            node,
            f"the name '{name}' may only use lower-case letters, digits and '_' "
            "(it names the watch-list in alerts), e.g. 'arms_transfers'",
        )
        return None
    return name
