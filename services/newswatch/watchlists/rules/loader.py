"""Read watch-list YAML files into the model, reporting every problem with its line.

`check_watchlists` returns all problems of all files (for `newswatch watchlists
check`); `load_watchlists` raises WatchlistsInvalid carrying all of them, so the
worker refuses to start with the same messages. A path may be a folder: its `.yaml`
and `.yml` files are read in name order. `read_watchlist_text` reads one watch-list
from text that did not come from a file (the watch-lists topic), with the same checks.

A list holds `rules`, a Boolean `query`, or both. A query-only list needs only `name`
and `query`; its threshold defaults to 1.0. A query counts as one more rule whose
weight is the threshold (the engine's `query_scoring`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import yaml

from newswatch.errors import WatchlistError, WatchlistsInvalid
from newswatch.watchlists.rules.budget import WordBudget
from newswatch.watchlists.rules.collector import collector_paused
from newswatch.watchlists.rules.model import TermSet, Watchlist
from newswatch.watchlists.rules.query.nodes import Query, QueryError
from newswatch.watchlists.rules.query.parser import parse_query
from newswatch.watchlists.rules.query.problems import query_problem
from newswatch.watchlists.rules.reader import RulesReader
from newswatch.watchlists.rules.yaml_nodes import compose, line_of, read_text

_REQUIRED = ("name", "description", "version", "owner", "threshold", "rules")
_REQUIRED_WITH_QUERY = ("name", "query")
_OPTIONAL = ("max_repeats", "words", "exclude", "query")
# What only rules use: in a list without rules it would silently do nothing.
_RULES_ONLY = ("max_repeats", "words", "exclude")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_DEFAULT_MAX_REPEATS = 3
_DEFAULT_QUERY_THRESHOLD = 1.0
_PACKAGED = ("arms_transfers.yaml", "korean_peninsula.yaml", "sanctions.yaml")
WATCHLIST_SUFFIXES = (".yaml", ".yml")


def default_watchlist_paths() -> list[Path]:
    """The watch-lists shipped with newswatch (package data)."""
    data = resources.files("newswatch.watchlists") / "data"
    return [Path(str(data / name)) for name in _PACKAGED]


def configured_watchlist_paths(configured: Sequence[Path]) -> list[Path]:
    """The files of NEWSWATCH_WATCHLISTS, or the packaged ones when none are set."""
    return list(configured) or default_watchlist_paths()


def watchlist_files(paths: Sequence[Path]) -> list[Path]:
    """The files the paths name: a folder stands for its .yaml and .yml files, in name order.

    Files whose names start with "." (editors' backups and locks) are left out; so are
    sub-folders (a desk keeps its lists in one folder).
    """
    return [file for _, files in _listings(paths) for file in files]


def _listings(paths: Sequence[Path]) -> list[tuple[Path, list[Path]]]:
    """Each path with the files it stands for: itself, or a folder's watch-list files."""
    return [(path, _folder_files(path) if path.is_dir() else [path]) for path in map(Path, paths)]


def _folder_files(folder: Path) -> list[Path]:
    # os.scandir knows each entry's kind from the listing (no stat per file), and names
    # sort as strings, which in one folder is the order of their paths: listing a desk of
    # 100,000 files takes 0.1 s instead of 1.4 s.
    with os.scandir(folder) as entries:
        names = sorted(
            entry.name
            for entry in entries
            if entry.name.endswith(WATCHLIST_SUFFIXES) and not entry.name.startswith(".") and entry.is_file()
        )
    return [folder / name for name in names]


def read_watchlist_text(where: Path, text: str) -> Watchlist:
    """One watch-list from its YAML text (a published one), checked as a file would be;
    raise WatchlistsInvalid listing every problem, each as `where:line: message`
    (`where:line:column: message` in a query)."""
    watchlist, _, problems = _read_text(text, where, WordBudget())
    if problems or watchlist is None:
        raise WatchlistsInvalid(problems or [WatchlistError(where, None, "no watch-list in the text")])
    return watchlist


def load_watchlists(paths: Sequence[Path]) -> list[Watchlist]:
    """Load and validate every file; raise WatchlistsInvalid listing every problem."""
    watchlists, problems = _read_all(paths)
    if problems:
        raise WatchlistsInvalid(problems)
    return watchlists


def check_watchlists(paths: Sequence[Path]) -> list[WatchlistError]:
    """Every problem in the given files, in file and line order (empty when all is well)."""
    return _read_all(paths)[1]


def _read_all(paths: Sequence[Path]) -> tuple[list[Watchlist], list[WatchlistError]]:
    with collector_paused():
        return _read_files(paths)


def _read_files(paths: Sequence[Path]) -> tuple[list[Watchlist], list[WatchlistError]]:
    loaded: dict[str, Watchlist] = {}
    problems: list[WatchlistError] = []
    budget = WordBudget()
    listings = _listings(paths)
    for path, files in listings:
        if not files:  # only a folder stands for no file
            reason = "the folder holds no .yaml or .yml files; name a folder of watch-lists, or the files"
            problems.append(WatchlistError(path, None, reason))
    for path in (file for _, files in listings for file in files):
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


def _read_file(path: Path, budget: WordBudget) -> tuple[Watchlist | None, int | None, list[WatchlistError]]:
    text, problem = read_text(path)
    if problem is not None:
        return None, None, [problem]
    return _read_text(text, path, budget)


def _read_text(
    text: str, path: Path, budget: WordBudget
) -> tuple[Watchlist | None, int | None, list[WatchlistError]]:
    root, problems = compose(path, text)
    if problems:
        return None, None, problems
    reader = RulesReader(path, budget)
    if root is None:
        needs = f"{', '.join(_REQUIRED)}, or {' and '.join(_REQUIRED_WITH_QUERY)}"
        reader.fail(None, f"the file is empty; a watch-list needs {needs}")
        return None, None, reader.problems
    fields = reader.mapping(root, "the watch-list", _REQUIRED + _OPTIONAL)
    _check_keys(reader, root, fields)
    name = _name(reader, fields.get("name"))
    texts = {
        key: reader.text(fields[key], key) for key in ("description", "version", "owner") if key in fields
    }
    threshold = reader.number(fields["threshold"], "threshold") if "threshold" in fields else None
    if "threshold" not in fields and "rules" not in fields:
        threshold = _DEFAULT_QUERY_THRESHOLD
    max_repeats = _DEFAULT_MAX_REPEATS
    if "max_repeats" in fields:
        max_repeats = int(reader.number(fields["max_repeats"], "max_repeats", whole=True) or max_repeats)
    if "words" in fields:
        reader.word_lists(fields["words"])
    rules = reader.rules(fields["rules"], max_repeats) if "rules" in fields else ()
    exclusions: TermSet | None = None
    if "exclude" in fields:
        exclusions = reader.term_set(fields["exclude"], "exclude")
    query = _query(reader, fields["query"], text) if "query" in fields else None
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
        query=query,
    )
    return watchlist, line_of(fields["name"]), []


def _check_keys(reader: RulesReader, root: yaml.Node, fields: dict[str, yaml.Node]) -> None:
    """The settings a list needs: those of a rules list, or a name and a query (then no rule settings)."""
    if not isinstance(root, yaml.MappingNode):
        return
    if "query" in fields and "rules" not in fields:
        if "name" not in fields:
            reader.fail(root, "the setting 'name' is missing; add a line 'name: ...'")
        for key in _RULES_ONLY:
            if key in fields:
                reader.fail(
                    fields[key],
                    f"'{key}' is used by rules, and this list has only a query; "
                    + (
                        "write the words in the query (exclude with AND NOT)"
                        if key != "max_repeats"
                        else "remove it (atleast(N, ...) counts mentions in a query)"
                    ),
                )
        return
    if "query" not in fields and "rules" not in fields:
        reader.fail(
            root,
            "the watch-list has neither 'rules' nor a 'query'; add a 'rules:' list, "
            "or a line such as query: 'acme AND shipment*'",
        )
    for key in _REQUIRED:
        if key not in fields and key != "rules":
            reader.fail(root, f"the setting '{key}' is missing; add a line '{key}: ...'")


def _query(reader: RulesReader, node: yaml.Node, document: str) -> Query | None:
    """The parsed query, or None with its problem at the token's line and column."""
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        reader.fail(node, "'query' must be a piece of text, e.g. query: 'acme AND shipment*'")
        return None
    try:
        query = parse_query(str(node.value), line_of(node) or 0)
    except QueryError as error:
        reader.problems.append(query_problem(reader.path, node, error, document))
        return None
    if not reader.spend_query(node, [term.pattern.key for term in query.terms]):
        return None
    return query


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
