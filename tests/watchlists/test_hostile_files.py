"""Watch-list files that would hurt a worker are refused with `file:line: what to change`.

Anchors and aliases (a "billion laughs" file), oversized files, more words than a worker
should hold, and numbers that are not finite or far too large: each is a problem in the
list `newswatch watchlists check` prints and the worker refuses to start or reload with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from newswatch.cli import main
from newswatch.watchlists import default_watchlist_paths
from newswatch.watchlists.rules import budget, reader
from newswatch.watchlists.rules.loader import check_watchlists
from newswatch.watchlists.rules.yaml_nodes import MAX_FILE_BYTES, compose
from tests.helpers.watchlists import VALID, write

HEADER = 'name: bomb\ndescription: d\nversion: "1"\nowner: o\nthreshold: 1.0\nwords:\n'
ANCHOR = "'&a0' marks a part of the file to repeat (a YAML anchor), which is not allowed"
ALIAS = "'*a0' repeats another part of the file (a YAML alias), which is not allowed"


def alias_bomb(levels: int = 9) -> str:
    """Each level names the one before ten times: 2 * 10**9 words once expanded, in 800 bytes."""
    lines = [HEADER, "  a0:\n    en: &a0 [abcde, fghij]\n"]
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"  a{level}:\n    en: &a{level} [{aliases}]\n")
    lines.append(f"rules:\n  - {{name: r, weight: 1, any: a{levels}}}\n")
    return "".join(lines)


def test_alias_bomb_is_refused_before_anything_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object) -> None:
        raise AssertionError("the rules were read: the aliases would have been followed")

    monkeypatch.setattr(reader.RulesReader, "__init__", never)
    path = write(tmp_path, "bomb.yaml", alias_bomb())
    problems = check_watchlists([path])
    assert str(problems[0]) == (
        f"{path}:8: {ANCHOR}; remove it, and define a word list under 'words:' to use words twice"
    )
    assert str(problems[2]) == (
        f"{path}:10: {ALIAS}; write the words out, or define a word list under 'words:' and use its name"
    )
    # Ten anchors and 90 aliases: ten are listed, the rest counted on one line.
    assert len(problems) == 11
    assert str(problems[-1]) == f"{path}: 90 more anchors, aliases or merge keys; remove them all"


def test_an_anchor_alone_is_refused_at_its_line(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("en: [pyongyang]", "en: &places [pyongyang]")
    (problem,) = check_watchlists([write(tmp_path, "one.yaml", text)])
    assert problem.line == 8 and problem.reason.startswith("'&places' marks a part of the file")


def test_a_merge_key_is_refused_at_its_line(tmp_path: Path) -> None:
    text = VALID.format(name="one").replace("threshold: 1.0", "<<: {threshold: 1.0}")
    (problem,) = check_watchlists([write(tmp_path, "one.yaml", text)])
    assert (problem.line, problem.reason) == (
        5,
        "'<<' merges another part of the file in (a YAML merge key), which is not allowed; "
        "write the settings out",
    )


def test_a_second_document_and_a_list_as_key_are_refused(tmp_path: Path) -> None:
    two = write(tmp_path, "two.yaml", VALID.format(name="one") + "---\nname: two\n")
    keyed = write(tmp_path, "keyed.yaml", VALID.format(name="keyed") + "? [a, b]\n: 1\n")
    assert [str(problem) for problem in check_watchlists([two, keyed])] == [
        f"{two}:22: the file holds a second YAML document ('---'); keep one",
        f"{keyed}:22: a key in the watch-list is a list or a mapping; write it as a plain word",
    ]


def test_nesting_deeper_than_the_parser_allows_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    text = VALID.format(name="one") + "note: " + "[" * 100_000 + "]" * 100_000 + "\n"
    (problem,) = check_watchlists([write(tmp_path, "one.yaml", text)])
    assert problem.line == 22 and "not valid YAML" in problem.reason


def test_oversize_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    text = VALID.format(name="one")
    fits = write(tmp_path, "fits.yaml", text + "#" * (MAX_FILE_BYTES - len(text)))
    too_big = write(tmp_path, "too_big.yaml", text + "#" * (MAX_FILE_BYTES - len(text) + 1))
    assert [str(problem) for problem in check_watchlists([fits, too_big])] == [
        f"{too_big}: the file has 1,048,577 bytes; a watch-list file may have at most "
        "1,048,576 (1 MiB): split it into several watch-lists"
    ]


def test_too_many_words_are_refused_where_the_limit_is_passed_and_later_files_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budget, "MAX_WORDS", 3)  # the test file writes four
    first = write(tmp_path, "first.yaml", VALID.format(name="first"))
    broken = write(tmp_path, "broken.yaml", "threshold: [")
    (problem,) = check_watchlists([first, broken])
    assert (problem.path, problem.line) == (first, 21)  # the exclusion, the fourth word
    assert problem.reason.startswith("the watch-lists write more than 3 words in all")
    assert problem.reason.endswith("(files after this one were not read)")


def test_a_word_list_named_by_many_rules_counts_once_per_rule(tmp_path: Path) -> None:
    # 1,000 words named by 1,001 rules: 60 KB of YAML, 1,001,000 uses of a word.
    words = ", ".join(f"w{number:04d}x" for number in range(1000))
    rules = "".join(f"  - {{name: r{number}, weight: 1, any: big}}\n" for number in range(1001))
    text = f"{HEADER}  big:\n    en: [{words}]\nrules:\n{rules}"
    (problem,) = check_watchlists([write(tmp_path, "wide.yaml", text)])
    assert problem.line == 9 + 1001  # the rule whose uses pass the limit
    assert problem.reason.startswith(
        "the rules use more than 1,000,000 words in all (a word list counts again for every rule"
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ("threshold: 1.0", "threshold: .nan", 5, "'threshold' must be a number such as 1.0, not '.nan'"),
        ("threshold: 1.0", "threshold: .inf", 5, "'threshold' must be at most 1,000,000, not .inf"),
        ("weight: 0.5", "weight: .NaN", 16, "'weight' must be a number such as 1.0, not '.NaN'"),
        ("weight: 0.5", "weight: -.inf", 16, "'weight' must be more than 0, not -.inf"),
        ("weight: 0.5", "weight: 1.0e+400", 16, "'weight' must be at most 1,000,000, not 1.0e+400"),
        (
            "weight: 0.5",
            "weight: 1" + "0" * 400,
            16,
            "'weight' must be at most 1,000,000, not 10000000000000000000… (401 characters)",
        ),
        (
            "within: 5 words",
            "within: 5 words\n    min_mentions: " + "9" * 5000,  # int() would raise past 4,300 digits
            19,
            "'min_mentions' must be at most 1,000,000, not 99999999999999999999… (5,000 characters)",
        ),
        (
            "within: 5 words",
            "within: 5 words\n    max_repeats: 2000000",
            19,
            "'max_repeats' must be at most 1,000,000, not 2000000",
        ),
        (
            "threshold: 1.0",
            "threshold: 1.0\nmax_repeats: .inf",
            6,
            "'max_repeats' must be a whole number such as 3, not '.inf'",
        ),
        (
            "weight: 0.5",
            "weight: !!float nonsense",
            16,
            "'weight' must be a number such as 1.0, not 'nonsense'",
        ),
        (
            "within: 5 words",
            "within: " + "9" * 5000 + " words",
            18,
            "'within' must be 'sentence', 'article' or a number of words from 1 to 50 such as "
            "'5 words', not '99999999999999999999… (5,006 characters)'",
        ),
    ],
)
def test_numbers_must_be_finite_and_at_most_a_million(
    tmp_path: Path, old: str, new: str, line: int, reason: str
) -> None:
    text = VALID.format(name="one").replace(old, new, 1)
    (problem,) = check_watchlists([write(tmp_path, "one.yaml", text)])
    assert (problem.line, problem.reason) == (line, reason)


def test_check_command_prints_hostile_file_problems_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = write(tmp_path, "bomb.yaml", alias_bomb())
    nan = write(tmp_path, "nan.yaml", VALID.format(name="nan").replace("threshold: 1.0", "threshold: .nan"))
    assert main(["watchlists", "check", str(bomb), str(nan)]) == 1
    printed = capsys.readouterr().err
    assert f"{bomb}:8: {ANCHOR}" in printed
    assert f"{nan}:5: 'threshold' must be a number such as 1.0, not '.nan'" in printed
    assert printed.endswith("12 problem(s) in 2 file(s)\n")


def test_the_composer_builds_the_tree_pyyaml_builds_for_the_packaged_lists() -> None:
    def shape(node: yaml.Node) -> Any:
        where = (node.tag, node.start_mark.line, node.start_mark.column)
        if isinstance(node, yaml.ScalarNode):
            return (*where, node.value)  # not the style: libyaml says '' where PyYAML says None
        if isinstance(node, yaml.SequenceNode):
            return (*where, [shape(item) for item in node.value])
        return (*where, [(shape(key), shape(value)) for key, value in node.value])

    for path in default_watchlist_paths():
        root, problems = compose(path)
        assert problems == [] and root is not None
        expected = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        assert shape(root) == shape(expected)
