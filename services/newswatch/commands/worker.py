"""`newswatch worker`: the tagger, a Faust worker (the only command that imports Faust)."""

from __future__ import annotations

import argparse

from newswatch.settings import Settings
from newswatch.tagger.worker import run_worker


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the worker until it is stopped; it exits the process itself."""
    run_worker(settings)
