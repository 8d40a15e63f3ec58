"""`newswatch notify run`: the notifier, a Faust service of its own (its own consumer group)."""

from __future__ import annotations

import argparse

from newswatch.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the notifier until it is stopped; it exits the process itself."""
    from newswatch.notify.worker import run_notifier  # Faust only for this command

    run_notifier(settings)
