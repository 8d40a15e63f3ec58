"""`newswatch schemas`: write (or check) the JSON Schemas of the contracts."""

from __future__ import annotations

import argparse
import sys

from newswatch.schemas import stale_schemas, write_schemas
from newswatch.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Write the schemas to --out, or with --check exit 1 naming each one out of date."""
    out = args.out
    if args.check:
        stale = stale_schemas(out)
        for name in stale:
            print(f"{out / name} is out of date; run `newswatch schemas`", file=sys.stderr)
        return 1 if stale else 0
    for path in write_schemas(out):
        print(f"wrote {path}")
    return 0
