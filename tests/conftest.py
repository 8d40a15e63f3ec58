"""Fixtures shared by every test folder: paths, the seed article, and unique names."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS = REPO_ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_0f58f401bebbf1b7.txt"


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A name no other test (or earlier run) uses: for topics, consumer groups, app ids."""
    test = request.node.name.replace("[", "-").replace("]", "").replace("_", "-")[:40]
    return f"t-{test}-{uuid.uuid4().hex[:8]}"
