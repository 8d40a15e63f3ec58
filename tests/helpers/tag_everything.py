"""Tag every labelled article of tests/data with the default lists and a few query lists.

    python -m tests.helpers.tag_everything [--pure]

Prints, as JSON lines: first the files the engine's compiled modules (setup.py) were
loaded from, then every alert (a fixed `tagged_at`), each article tagged with its
language and without. With `--pure`, newswatch's modules are loaded from their Python
sources even where a compiled module sits beside them: tests/test_compiled.py runs both
and compares, so the compiled engine is shown to say exactly what the source says.
"""

from __future__ import annotations

import importlib
import json
import sys
from datetime import UTC, datetime
from importlib import machinery
from pathlib import Path

from tests.helpers.paths import REPO_ROOT, TEST_DATA

PACKAGE = REPO_ROOT / "services" / "newswatch"
TAGGED_AT = datetime(2026, 1, 1, tzinfo=UTC)
# Every operator of the query language, in several scripts, on words the data holds.
QUERIES = {
    "q_near": '("export control*" OR sanction*) NEAR/8 (against OR russia* OR impos*) AND NOT title:football',
    "q_fields": "title:(sanction* OR embargo*) AND body:(bank* OR minist*)",
    "q_atleast": "atleast(2, sanction* OR embargo* OR ban*)",
    "q_german": "(waffen* OR rüstung* OR panzer*) NEAR/10 (liefer* OR export* OR ukrain*)",
    "q_russian": "(санкци* OR эмбарго) AND (банк* OR нефт*)",
    "q_chinese": "(制裁 OR 禁运) OR (出口 NEAR/3 管制)",
}


def compiled_sources() -> list[Path]:
    """The source files setup.py compiles (read from its COMPILED list)."""
    text = (REPO_ROOT / "setup.py").read_text(encoding="utf-8")
    block = text.split("COMPILED = [", 1)[1].split("]", 1)[0]
    lines = [line.strip() for line in block.splitlines()]
    return [REPO_ROOT / line.strip('",') for line in lines if line.startswith('"')]


def module_name(source: Path) -> str:
    """The import name of a source file under services/."""
    return ".".join(source.relative_to(REPO_ROOT / "services").with_suffix("").parts)


def load_sources_only() -> None:
    """From here on, newswatch's modules are imported from their .py files, never a compiled one.

    Other packages (numpy, hyperscan, pydantic) keep their extension modules.
    """
    default = machinery.FileFinder.path_hook(
        (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES),
        (machinery.SourceFileLoader, machinery.SOURCE_SUFFIXES),
        (machinery.SourcelessFileLoader, machinery.BYTECODE_SUFFIXES),
    )
    sources = machinery.FileFinder.path_hook((machinery.SourceFileLoader, machinery.SOURCE_SUFFIXES))

    def hook(path: str) -> machinery.FileFinder:
        inside = Path(path).resolve().is_relative_to(PACKAGE)
        return sources(path) if inside else default(path)

    sys.path_hooks.insert(0, hook)
    sys.path_importer_cache.clear()


def main() -> None:
    if "--pure" in sys.argv[1:]:
        load_sources_only()
    from newswatch.contracts import Article
    from newswatch.tagger.alerts import alerts_for
    from newswatch.watchlists import Engine
    from newswatch.watchlists.rules.loader import (
        default_watchlist_paths,
        load_watchlists,
        read_watchlist_text,
    )

    modules = [importlib.import_module(module_name(source)) for source in compiled_sources()]
    print(json.dumps([module.__file__ for module in modules]))
    lists = load_watchlists(default_watchlist_paths()) + [
        read_watchlist_text(Path(f"{name}.yaml"), f"name: {name}\nquery: '{query}'\n")
        for name, query in QUERIES.items()
    ]
    engine = Engine(lists)
    for path in sorted(TEST_DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for language in (row.get("language"), None):
                article = Article(id=row["id"], title=row["title"], body=row["body"], language=language)
                for alert in alerts_for(article, engine, TAGGED_AT):
                    print(alert.model_dump_json())


if __name__ == "__main__":
    main()
