"""Where the checkout and its sample inputs are."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = REPO_ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_0f58f401bebbf1b7.txt"
TEST_DATA = REPO_ROOT / "tests" / "data"
