"""Fixtures shared by every test folder, and the guard that keeps the fast half fast.

Helpers that tests import live in tests/helpers/, not here.
"""

from __future__ import annotations

import uuid

import pytest

# A test that uses one of these needs the Kafka broker, so it must be marked `integration`
# (`pytest -m "not integration"` is the fast half that runs without one).
BROKER_FIXTURES = frozenset({"kafka_bootstrap", "start_worker"})


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A name no other test (or earlier run) uses: for topics, consumer groups, app ids."""
    test = request.node.name.replace("[", "-").replace("]", "").replace("_", "-")[:40]
    return f"t-{test}-{uuid.uuid4().hex[:8]}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fail the collection when a test needs the broker but lacks the `integration` marker."""
    unmarked = [
        item.nodeid
        for item in items
        if BROKER_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("integration") is None
    ]
    if unmarked:
        listed = "\n  ".join(unmarked)
        raise pytest.UsageError(
            f"these tests use the Kafka broker but are not marked integration; add "
            f"`pytestmark = pytest.mark.integration` to their module:\n  {listed}"
        )
