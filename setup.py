"""Builds newswatch, with the engine's per-article modules compiled to C by mypyc.

The metadata is in pyproject.toml; this file only adds the compiled modules. They are
the same typed Python sources, compiled as they are: one source, no second
implementation to keep in step. On real news the engine runs about a quarter fewer
instructions with them (README, "Compiled modules"). NEWSWATCH_PURE_PYTHON=1 builds
without them (after `make clean`: a compiled file beside its source is imported first).
"""

from __future__ import annotations

import os

from setuptools import setup

# The per-article work of the engine: each module is pure (no I/O), fully typed, and
# none is monkeypatched by a test (a compiled module calls its functions directly).
COMPILED = [
    "services/newswatch/watchlists/rules/query/semantics.py",
    "services/newswatch/watchlists/scoring/compiled.py",
    "services/newswatch/watchlists/scoring/deadline.py",
    "services/newswatch/watchlists/scoring/evidence.py",
    "services/newswatch/watchlists/scoring/matcher.py",
    "services/newswatch/watchlists/scoring/nearest.py",
    "services/newswatch/watchlists/scoring/presearch.py",
    "services/newswatch/watchlists/scoring/query_scoring.py",
    "services/newswatch/watchlists/scoring/rule_scoring.py",
    "services/newswatch/watchlists/text/boilerplate.py",
    "services/newswatch/watchlists/text/irregular.py",
    "services/newswatch/watchlists/text/language.py",
    "services/newswatch/watchlists/text/normalize.py",
    "services/newswatch/watchlists/text/script.py",
    "services/newswatch/watchlists/text/sentences.py",
]


def _extensions() -> list[object]:
    if os.environ.get("NEWSWATCH_PURE_PYTHON") == "1":
        return []
    from mypyc.build import mypycify

    # `make lint` type-checks everything strictly; compiling needs the types of these
    # modules only. Without the config file and with imports beyond them silent, pip's
    # isolated build (setuptools and mypy, none of the dependencies) can compile them:
    # what it cannot see (numpy's types) is compiled as plain Python objects.
    options = ["--config-file=", "--ignore-missing-imports", "--follow-imports=silent"]
    # One group: calls between the modules stay native. Its shared library is named
    # after the group, inside the package (not a top-level module of a random name).
    return mypycify([*options, *COMPILED], opt_level="3", group_name="newswatch.watchlists._native")


setup(ext_modules=_extensions())
