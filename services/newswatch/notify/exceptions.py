"""The notifier's errors: a subscriptions file that cannot be used, with where and why."""

from __future__ import annotations

from newswatch.errors import FileProblemError


class SubscriptionError(FileProblemError):
    """A problem at a line of the subscriptions file; the message reads `file:line: reason`."""


class SubscriptionsInvalid(SubscriptionError):
    """Every problem of a subscriptions file at once (one per line of the message).

    `path`, `line` and `reason` are those of the first problem; `problems` has all of them.
    """

    def __init__(self, problems: list[SubscriptionError]) -> None:
        if not problems:
            raise ValueError("SubscriptionsInvalid needs at least one problem")
        first = problems[0]
        super().__init__(first.path, first.line, first.reason)
        self.problems = list(problems)
        if len(problems) > 1:
            listed = "\n".join(str(problem) for problem in problems)
            self.args = (f"{len(problems)} problems in the subscriptions:\n{listed}",)
