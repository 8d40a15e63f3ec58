"""`newswatch run`: the whole pipeline on this machine (see newswatch/run.py)."""

from __future__ import annotations

import argparse

from newswatch.run import run_pipeline
from newswatch.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Local broker, worker and replay of the given files, with the alerts printed as they come."""
    return run_pipeline(settings, args.paths, once=args.once, keep_broker=args.keep_broker)
