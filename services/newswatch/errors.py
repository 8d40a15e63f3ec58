"""The one root exception of newswatch and its small, data-carrying subclasses.

Per-record problems (a bad article on the topic) are not raised out of the worker:
they become dead letters. These exceptions are for the operator: bad configuration,
bad watch-list files, a broker that cannot be started.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class NewswatchError(Exception):
    """Root of every error newswatch raises on purpose; its message tells what to do."""


class FileProblemError(NewswatchError):
    """A problem at a place in a file a person wrote; the message reads `file:line: reason`."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.where}: {reason}")

    @property
    def where(self) -> str:
        """The place the message starts with: `file:line`, or the file alone."""
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


class FileProblems(FileProblemError):
    """Every problem of some files at once (one per line of the message).

    `path`, `line` and `reason` are those of the first problem, so code that handles one
    problem keeps working; `problems` has all of them. `KIND` names the files in the message.
    """

    KIND = "the files"

    def __init__(self, problems: Sequence[FileProblemError]) -> None:
        if not problems:
            raise ValueError(f"{type(self).__name__} needs at least one problem")
        first = problems[0]
        super().__init__(first.path, first.line, first.reason)
        self.problems = list(problems)
        if len(problems) == 1:  # its own words: a problem may say more than file:line (a column)
            self.args = (str(first),)
        else:
            listed = "\n".join(str(problem) for problem in problems)
            self.args = (f"{len(problems)} problems in {self.KIND}:\n{listed}",)


class WatchlistError(FileProblemError):
    """A watch-list file that cannot be used, with where the problem is."""


class ArticleFileError(FileProblemError):
    """An input file (or one record in it) that cannot be read as articles.

    `record` numbers the record in the file (a .jsonl line, an item of a .json list), so
    the message reads `file (record N): reason`; `line` stays None.
    """

    def __init__(self, path: Path | str, reason: str, record: int | None = None) -> None:
        self.record = record
        super().__init__(path, None, reason)

    @property
    def where(self) -> str:
        return f"{self.path} (record {self.record})" if self.record is not None else str(self.path)


class BrokerError(NewswatchError):
    """The local Kafka broker cannot be installed, started, reached or stopped."""


class MissingToolError(BrokerError):
    """A program the local broker needs (java, mvn) is not on PATH."""

    def __init__(self, tool: str, install_hint: str) -> None:
        self.tool = tool
        self.install_hint = install_hint
        super().__init__(f"'{tool}' was not found on PATH; install it first: {install_hint}")


class WatchlistsInvalid(FileProblems, WatchlistError):
    """Several problems in watch-list files, all reported at once (one per line)."""

    KIND = "the watch-lists"


class ConfigurationError(NewswatchError):
    """A setting that cannot be used (a missing file, a bad certificate); names the variable."""
