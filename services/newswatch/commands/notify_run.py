"""`newswatch notify run`: the notifier, a Faust service of its own (its own consumer group)."""

from __future__ import annotations

import argparse

from newswatch.errors import ConfigurationError
from newswatch.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the notifier until it is stopped; it exits the process itself. With --print,
    print what it would send instead (`notify_print`)."""
    if args.print:
        from newswatch.commands import notify_print

        return notify_print.run(settings, args)
    if args.once:
        raise ConfigurationError("--once goes with --print: `newswatch notify --print --once`")
    from newswatch.notify.worker import run_notifier  # Faust only for this command

    run_notifier(settings)
