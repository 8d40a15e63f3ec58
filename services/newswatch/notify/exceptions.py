"""The notifier's errors: a subscriptions file that cannot be used, with where and why."""

from __future__ import annotations

from newswatch.errors import FileProblemError, FileProblems


class SubscriptionError(FileProblemError):
    """A problem at a line of the subscriptions file; the message reads `file:line: reason`."""


class SubscriptionsInvalid(FileProblems, SubscriptionError):
    """Every problem of a subscriptions file at once (one per line of the message)."""

    KIND = "the subscriptions"
