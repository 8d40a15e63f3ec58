"""The README is the operator's manual: its settings table must match the code."""

from __future__ import annotations

import re

from newswatch.settings import Settings
from tests.helpers.paths import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_and_every_documented_setting_exists() -> None:
    in_code = {f"NEWSWATCH_{name.upper()}" for name in Settings.model_fields}
    in_table = set(re.findall(r"^\| `(NEWSWATCH_[A-Z_]+)` \|", README, flags=re.MULTILINE))
    assert in_table == in_code


def test_documented_defaults_match_the_code() -> None:
    defaults = Settings.model_construct()
    rows = re.findall(r"^\| `NEWSWATCH_([A-Z_]+)` \| (unset|`[^`]*`) \|", README, flags=re.MULTILINE)
    assert len(rows) == len(Settings.model_fields), "every row shows a default: `value` or unset"
    for name, default in rows:
        value = getattr(defaults, name.lower())
        if default == "unset":
            assert value is None, f"README says NEWSWATCH_{name} is unset by default, code says {value!r}"
            continue
        shown = "[]" if value == [] else str(value)
        said = f"README says NEWSWATCH_{name} defaults to {default}, code says {shown!r}"
        assert f"`{shown}`" == default, said
